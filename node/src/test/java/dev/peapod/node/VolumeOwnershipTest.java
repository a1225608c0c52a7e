package dev.peapod.node;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** kubelet's fsGroup permission rules (pkg/volume/volume_linux.go). */
class VolumeOwnershipTest {

    @ParameterizedTest(name = "{0} dir={1} ro={2} -> {3}")
    @CsvSource({
            "0777, true,  false, 2777",
            "0755, true,  false, 2775",
            "0644, false, false, 0664",
            "0600, false, false, 0660",
            "0600, false, true,  0640",
            "0700, true,  true,  2750",
            "4755, false, false, 4775"})
    void newMode(String mode, boolean dir, boolean readOnly, String expected) {
        assertThat(Integer.toOctalString(VolumeOwnership.newMode(Integer.parseInt(mode, 8), dir, readOnly)))
                .isEqualTo(Integer.toOctalString(Integer.parseInt(expected, 8)));
    }

    @ParameterizedTest(name = "gid {0} mode {1} dir={2} ro={3} -> change {4}")
    @CsvSource({
            "2000, 2777, true,  false, false",
            "2000, 2770, true,  false, false",
            "1000, 2777, true,  false, true",
            "2000, 0777, true,  false, true",
            "2000, 2750, true,  false, true",
            "2000, 2550, true,  true,  false",
            "2000, 0660, false, false, true"})
    void onRootMismatch(long gid, String mode, boolean dir, boolean readOnly, boolean change) {
        assertThat(VolumeOwnership.rootMismatch(gid, Integer.parseInt(mode, 8), dir, readOnly, 2000)).isEqualTo(change);
    }

    @org.junit.jupiter.api.Test
    void configFilesGetGroupReadInThePayloadOnlyWithAnFsGroup() {
        var payload = java.util.Map.of("key", new dev.peapod.node.volume.FileProjection(new byte[]{1}, 0400));
        var withGroup = new io.fabric8.kubernetes.api.model.PodBuilder().withNewSpec().withNewSecurityContext()
                .withFsGroup(2000L).endSecurityContext().endSpec().build();
        var without = new io.fabric8.kubernetes.api.model.PodBuilder().withNewSpec().endSpec().build();

        assertThat(VolumeOwnership.modes(withGroup, payload).get("key").mode()).isEqualTo(0440);
        assertThat(VolumeOwnership.modes(without, payload).get("key").mode()).isEqualTo(0400);
    }
}
