package dev.peapod.node.resize;

import static dev.peapod.node.spec.CgroupPolicyTest.c;
import static dev.peapod.node.spec.CgroupPolicyTest.pod;
import static dev.peapod.node.spec.CgroupPolicyTest.res;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peapod.node.spec.CgroupPolicy;
import dev.peapod.oci.CgroupLimits;
import io.fabric8.kubernetes.api.model.ContainerResizePolicy;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What brings a pod's cgroups from the applied to the allocated resources, in a valid order. */
class ResizePlannerTest {
    static final long MI = 1 << 20;
    static final ResourceRequirements OLD = res("cpu=250m,memory=32Mi", "cpu=500m,memory=64Mi");

    static Pod allocated(ResourceRequirements app, String memoryPolicy) {
        var a = c("app", "", "");
        a.setResources(app);
        a.setResizePolicy(List.of(new ContainerResizePolicy("memory", memoryPolicy)));
        return pod(List.of(), List.of(a, c("side", "cpu=100m,memory=16Mi", "cpu=100m,memory=16Mi")));
    }

    static Map<String, ResourceRequirements> applied(ResourceRequirements app) {
        return Map.of("app", app, "side", res("cpu=100m,memory=16Mi", "cpu=100m,memory=16Mi"));
    }

    static CgroupLimits podNow(ResourceRequirements app) {
        return CgroupPolicy.pod(allocated(app, "NotRequired"), 0);
    }

    @Test
    void nothingChangedNothingToDo() {
        var a = ResizePlanner.actuate(allocated(OLD, "NotRequired"), applied(OLD), podNow(OLD), 0, true);
        assertThat(a.none()).isTrue();
    }

    @Test
    void aCpuLimitIncreaseWidensThePodFirstThenTheContainer() {
        var next = res("cpu=250m,memory=32Mi", "cpu=1,memory=64Mi");
        var a = ResizePlanner.actuate(allocated(next, "NotRequired"), applied(OLD), podNow(OLD), 0, true);
        assertThat(a.restart()).isEmpty();
        assertThat(a.podBefore()).map(CgroupLimits::cpuQuota).hasValue(110_000L);
        assertThat(a.update()).containsOnlyKeys("app");
        assertThat(a.update().get("app").limits()).isEqualTo(new CgroupLimits(256, 100_000L, 100_000, 64 * MI, true, null));
        assertThat(a.podAfter()).isEmpty(); // already final after widening
    }

    @Test
    void aCpuLimitDecreaseSetsTheContainerFirstThenNarrowsThePod() {
        var next = res("cpu=250m,memory=32Mi", "cpu=300m,memory=64Mi");
        var a = ResizePlanner.actuate(allocated(next, "NotRequired"), applied(OLD), podNow(OLD), 0, true);
        assertThat(a.podBefore()).isEmpty();
        assertThat(a.update().get("app").limits().cpuQuota()).isEqualTo(30_000L);
        assertThat(a.podAfter()).map(CgroupLimits::cpuQuota).hasValue(40_000L);
    }

    @Test
    void cpuUpAndMemoryDownWidensTheOneAndNarrowsTheOther() {
        var next = res("cpu=250m,memory=32Mi", "cpu=1,memory=48Mi");
        var a = ResizePlanner.actuate(allocated(next, "NotRequired"), applied(OLD), podNow(OLD), 0, true);
        assertThat(a.podBefore()).hasValueSatisfying(p -> {
            assertThat(p.cpuQuota()).isEqualTo(110_000L);
            assertThat(p.memoryLimit()).isEqualTo(80 * MI);
        });
        assertThat(a.podAfter()).map(CgroupLimits::memoryLimit).hasValue(64 * MI);
    }

    @Test
    void aMemoryChangeWithRestartContainerRestartsAndKeepsThePodWideUntilThen() {
        var next = res("cpu=250m,memory=16Mi", "cpu=500m,memory=24Mi");
        var a = ResizePlanner.actuate(allocated(next, "RestartContainer"), applied(OLD), podNow(OLD), 0, true);
        assertThat(a.restart()).containsExactly("app");
        assertThat(a.update()).isEmpty();
        assertThat(a.podBefore()).isEmpty();
        assertThat(a.podAfter()).isEmpty(); // 64Mi + 16Mi until the container runs with 24Mi

        // After the restart the container runs with the allocated resources; the pod follows.
        var after = ResizePlanner.actuate(allocated(next, "RestartContainer"), applied(next), podNow(OLD), 0, true);
        assertThat(after.restart()).isEmpty();
        assertThat(after.podAfter()).map(CgroupLimits::memoryLimit).hasValue(40 * MI);
    }

    @Test
    void aRestartForAnIncreaseWidensThePodBeforeTheNewContainerIsCreated() {
        var next = res("cpu=1,memory=64Mi", "cpu=2,memory=128Mi");
        var a = ResizePlanner.actuate(allocated(next, "RestartContainer"), applied(OLD), podNow(OLD), 0, true);
        assertThat(a.restart()).containsExactly("app");
        assertThat(a.podBefore()).hasValueSatisfying(p -> {
            assertThat(p.cpuQuota()).isEqualTo(210_000L);
            assertThat(p.memoryLimit()).isEqualTo(144 * MI);
        });
        assertThat(a.podAfter()).isEmpty();
    }

    @Test
    void infeasibleBeyondTheNodesCapacity() {
        Pod big = allocated(res("cpu=3,memory=32Mi", "cpu=3,memory=64Mi"), "NotRequired");
        assertThat(ResizePlanner.infeasible(big, 2000, 8L << 30))
                .hasValue("Node didn't have enough capacity: cpu, requested: 3100, capacity: 2000");
        assertThat(ResizePlanner.infeasible(allocated(OLD, "NotRequired"), 2000, 8L << 30)).isEqualTo(Optional.empty());
    }
}
