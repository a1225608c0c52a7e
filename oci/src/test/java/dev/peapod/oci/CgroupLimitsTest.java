package dev.peapod.oci;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peapod.oci.Cgroups.CgroupMode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CgroupLimitsTest {

    static Stream<Arguments> cases() {
        var limited = new CgroupLimits(512, 50_000L, 100_000, 64L << 20, true, 1024L);
        var unlimited = new CgroupLimits(2, null, 100_000, null, true, null);
        var noSwapAccounting = new CgroupLimits(1024, null, 100_000, 16L << 20, false, null);
        return Stream.of(
                Arguments.of("limits on v1", limited, CgroupMode.V1, List.of(
                        "cpu/cpu.shares=512", "cpu/cpu.cfs_period_us=100000", "cpu/cpu.cfs_quota_us=50000",
                        "memory/memory.memsw.limit_in_bytes=-1", "memory/memory.limit_in_bytes=67108864",
                        "memory/memory.memsw.limit_in_bytes=67108864", "pids/pids.max=1024")),
                Arguments.of("limits on hybrid are v1 files", limited, CgroupMode.HYBRID, List.of(
                        "cpu/cpu.shares=512", "cpu/cpu.cfs_period_us=100000", "cpu/cpu.cfs_quota_us=50000",
                        "memory/memory.memsw.limit_in_bytes=-1", "memory/memory.limit_in_bytes=67108864",
                        "memory/memory.memsw.limit_in_bytes=67108864", "pids/pids.max=1024")),
                Arguments.of("limits on v2", limited, CgroupMode.V2, List.of(
                        "cpu/cpu.weight=59", "cpu/cpu.max=50000 100000", "memory/memory.max=67108864",
                        "memory/memory.swap.max=0", "pids/pids.max=1024")),
                Arguments.of("no limits on v1 lift every limit", unlimited, CgroupMode.V1, List.of(
                        "cpu/cpu.shares=2", "cpu/cpu.cfs_period_us=100000", "cpu/cpu.cfs_quota_us=-1",
                        "memory/memory.memsw.limit_in_bytes=-1", "memory/memory.limit_in_bytes=-1",
                        "memory/memory.memsw.limit_in_bytes=-1", "pids/pids.max=max")),
                Arguments.of("no limits on v2", unlimited, CgroupMode.V2, List.of(
                        "cpu/cpu.weight=1", "cpu/cpu.max=max 100000", "memory/memory.max=max",
                        "memory/memory.swap.max=max", "pids/pids.max=max")),
                Arguments.of("without swap accounting no memsw on v1", noSwapAccounting, CgroupMode.V1, List.of(
                        "cpu/cpu.shares=1024", "cpu/cpu.cfs_period_us=100000", "cpu/cpu.cfs_quota_us=-1",
                        "memory/memory.limit_in_bytes=16777216", "pids/pids.max=max")),
                Arguments.of("without swap accounting no swap.max on v2", noSwapAccounting, CgroupMode.V2, List.of(
                        "cpu/cpu.weight=100", "cpu/cpu.max=max 100000", "memory/memory.max=16777216",
                        "pids/pids.max=max")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersTheFiles(String name, CgroupLimits limits, CgroupMode mode, List<String> expected) {
        assertThat(limits.files(mode)).extracting(f -> f.controller() + "/" + f.name() + "=" + f.value())
                .containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> weights() {
        // kubernetes.io blog 2025-10-25 "new cgroup v1 to v2 conversion formula": 1 CPU (1024
        // shares) → 100 where the linear formula gave 39; 100m (102 shares) → 17 (linear: 4).
        return Stream.of(Arguments.of(2L, 1L), Arguments.of(1024L, 100L), Arguments.of(262_144L, 10_000L),
                Arguments.of(102L, 17L), Arguments.of(0L, 1L), Arguments.of(1_000_000L, 10_000L));
    }

    @ParameterizedTest(name = "{0} shares → weight {1}")
    @MethodSource("weights")
    void convertsSharesToWeight(long shares, long weight) {
        assertThat(CgroupLimits.sharesToWeight(shares)).isEqualTo(weight);
    }
}
