package dev.peapod.oci;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peapod.oci.Cgroups.CgroupMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostPreflightTest {
    private static final HostPreflight.HostFacts HEALTHY =
            new HostPreflight.HostFacts(0, true, List.of(), CgroupMode.HYBRID, List.of());

    @Test
    void aHealthyHostHasNoProblems() {
        assertThat(HostPreflight.problems(HEALTHY)).isEmpty();
    }

    @Test
    void eachFactBecomesAProblemWithItsFix() {
        var facts = new HostPreflight.HostFacts(1000, false,
                List.of(new HostProblem.MissingBinary("conmon", "conmon")), CgroupMode.HYBRID, List.of("hugetlb"));

        List<HostProblem> problems = HostPreflight.problems(facts);

        assertThat(problems).containsExactly(new HostProblem.NotRoot(1000),
                new HostProblem.MissingBinary("conmon", "conmon"), new HostProblem.NoOverlayfs(),
                new HostProblem.HybridControllers(List.of("hugetlb")));
        assertThat(problems.get(1).fix()).isEqualTo("apt-get install -y conmon");
        assertThat(problems.get(3).fix())
                .isEqualTo("mkdir -p /sys/fs/cgroup/hugetlb && mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb");
        assertThat(problems.get(0).message()).contains("root");
    }

    @Test
    void controllersOnCgroup2AreOnlyAProblemOnHybridHosts() {
        var v2 = new HostPreflight.HostFacts(0, true, List.of(), CgroupMode.V2, List.of("cpu", "memory"));
        assertThat(HostPreflight.problems(v2)).isEmpty();
    }

    /** On this hybrid host the fix moves hugetlb to v1 (once; later runs find nothing to do). */
    @Test
    void fixPreparesThisHost() throws IOException {
        PreflightReport report = new HostPreflight(new LinuxMounter(), new JdkProcessRunner()).fix();

        assertThat(report.problems()).as(report.describe()).isEmpty();
        assertThat(report.failures()).isEmpty();
        assertThat(report.applied()).allSatisfy(line -> assertThat(line).matches(
                "bound cgroup controller \\w+ to a v1 hierarchy at /sys/fs/cgroup/\\w+ so that crun accepts this hybrid host"
                        + "|loaded the overlay kernel module \\(modprobe overlay\\)"));
        if (HostCgroups.detectMode() == CgroupMode.HYBRID) {
            Path unified = HostCgroups.cgroup2Mount(MountInfo.read()).orElseThrow();
            assertThat(Files.readString(unified.resolve("cgroup.controllers")).strip()).isEmpty();
        }
        assertThat(new HostPreflight(new LinuxMounter(), new JdkProcessRunner()).check().ok()).isTrue();
    }

    @Test
    void hostLimitsMatchProcSelfLimits() throws IOException {
        HostLimits limits = HostLimits.read();
        List<String> lines = Files.readAllLines(Path.of("/proc/self/limits"));
        assertThat(limits.nofileHard()).isEqualTo(hardLimit(lines, "Max open files"));
        assertThat(limits.nprocHard()).isEqualTo(hardLimit(lines, "Max processes"));
        assertThat(limits.clampNofile(1L << 40)).isEqualTo(limits.nofileHard());
        assertThat(limits.clampNofile(10)).isEqualTo(10);
    }

    private static long hardLimit(List<String> lines, String name) {
        String line = lines.stream().filter(l -> l.startsWith(name)).findFirst().orElseThrow();
        String hard = line.substring(name.length()).strip().split("\\s+")[1];
        return hard.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(hard);
    }
}
