package dev.peapod.api;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** kube-apiserver's ValidatePersistentVolumeClaim, and the claims pods name that a manifest lacks. */
class PersistentVolumeClaimValidatorTest {
    private static PersistentVolumeClaim claim(String yaml) {
        var c = (PersistentVolumeClaim) Manifests.parse("""
                apiVersion: v1
                kind: PersistentVolumeClaim
                """ + yaml, "c.yaml").getFirst();
        if (c.getMetadata().getNamespace() == null) c.getMetadata().setNamespace("default");
        return c;
    }

    private static java.util.List<String> errors(String yaml) {
        return PersistentVolumeClaimValidator.validate(claim(yaml)).stream().map(Object::toString).toList();
    }

    @Test
    void aTypicalClaimIsValid() {
        assertThat(errors("""
                metadata: {name: data}
                spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}, storageClassName: local-path}
                """)).isEmpty();
    }

    @Test
    void accessModesAndStorageAreRequired() {
        assertThat(errors("""
                metadata: {name: data}
                spec: {}
                """)).containsExactly(
                "spec.accessModes: Required value: at least 1 access mode is required",
                "spec.resources[storage]: Required value");
    }

    @Test
    void unknownAccessModesAndReadWriteOncePodWithOthersAreRefused() {
        assertThat(errors("""
                metadata: {name: data}
                spec: {accessModes: [ReadWriteSometimes], resources: {requests: {storage: 1Gi}}}
                """)).containsExactly("spec.accessModes: Unsupported value: \"ReadWriteSometimes\": supported values: "
                + "\"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"");
        assertThat(errors("""
                metadata: {name: data}
                spec: {accessModes: [ReadWriteOncePod, ReadWriteMany], resources: {requests: {storage: 1Gi}}}
                """)).containsExactly("spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes");
    }

    @Test
    void theStorageRequestMustBePositive() {
        assertThat(errors("""
                metadata: {name: data}
                spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: "0"}}}
                """)).containsExactly("spec.resources[storage]: Invalid value: \"0\": must be greater than zero");
        assertThat(errors("""
                metadata: {name: data}
                spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: -1Gi}}}
                """)).containsExactly(
                "spec.resources[storage]: Invalid value: \"-1Gi\": must be greater than or equal to 0",
                "spec.resources[storage]: Invalid value: \"-1Gi\": must be greater than zero");
    }

    @Test
    void theNameIsADnsSubdomainAndTheStorageClassToo() {
        assertThat(errors("""
                metadata: {name: ../Data}
                spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}, storageClassName: Fast_SSD}
                """)).hasSize(2).allSatisfy(e -> assertThat(e).contains("a lowercase RFC 1123 subdomain"))
                .anySatisfy(e -> assertThat(e).startsWith("metadata.name: Invalid value: \"../Data\""))
                .anySatisfy(e -> assertThat(e).startsWith("spec.storageClassName: Invalid value: \"Fast_SSD\""));
    }

    @Test
    void blockVolumesAreNotProvisioned() {
        assertThat(errors("""
                metadata: {name: data}
                spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}, volumeMode: Block}
                """)).containsExactly("spec.volumeMode: Unsupported value: \"Block\": supported values: \"Filesystem\"");
    }

    @Test
    void validKeysAreLabelAndSubdomainOnly() {
        assertThat(PersistentVolumeClaimValidator.validKey("default", "db.primary-0")).isTrue();
        for (String[] bad : new String[][]{{"default", ".."}, {"default", "a/b"}, {"..", "x"}, {"a.b", "x"}, {null, "x"}, {"default", ""}}) {
            assertThat(PersistentVolumeClaimValidator.validKey(bad[0], bad[1])).as(String.join("/", String.valueOf(bad[0]), bad[1])).isFalse();
        }
    }

    @Test
    void aClaimAPodNamesMustBeKnown() {
        Pod pod = (Pod) Manifests.parse("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: default}
                spec:
                  containers: [{name: app, image: busybox}]
                  volumes:
                  - {name: scratch, emptyDir: {}}
                  - {name: data, persistentVolumeClaim: {claimName: data}}
                  - {name: cache, persistentVolumeClaim: {claimName: cache}}
                """, "p.yaml").getFirst();
        assertThat(PersistentVolumeClaimValidator.missingClaims(pod, Set.of("default/data", "other/cache")))
                .extracting(Object::toString).containsExactly(
                        "spec.volumes[2].persistentVolumeClaim.claimName: Not found: \"cache\": persistentvolumeclaim \"cache\" not found");
    }
}
