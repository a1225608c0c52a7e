package dev.peapod.node.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peapod.oci.CgroupLimits;
import dev.peapod.oci.Cgroups.CgroupMode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pod cgroup's limits (kubelet {@code ResourceConfigForPod}) from one base pod and small
 * mutations; a few rendered as the v1 and the v2 files.
 */
public class CgroupPolicyTest {
    static final long MI = 1 << 20;
    static final long PIDS = 4096;

    /** "cpu=500m,memory=64Mi" → resources. */
    public static ResourceRequirements res(String requests, String limits) {
        return new ResourceRequirements(null, parse(limits), parse(requests));
    }

    private static Map<String, Quantity> parse(String s) {
        var m = new LinkedHashMap<String, Quantity>();
        if (s == null || s.isEmpty()) return m;
        for (String kv : s.split(",")) {
            String[] p = kv.split("=");
            m.put(p[0], new Quantity(p[1]));
        }
        return m;
    }

    public static Container c(String name, String requests, String limits) {
        return new ContainerBuilder().withName(name).withImage("busybox").withResources(res(requests, limits)).build();
    }

    public static Container sidecar(String name, String requests, String limits) {
        var c = c(name, requests, limits);
        c.setRestartPolicy("Always");
        return c;
    }

    public static Pod pod(List<Container> inits, List<Container> apps) {
        return new PodBuilder().withNewMetadata().withName("p").withUid("u").endMetadata()
                .withNewSpec().withInitContainers(new ArrayList<>(inits)).withContainers(new ArrayList<>(apps)).endSpec().build();
    }

    static Arguments row(String name, Pod pod, CgroupLimits expected) {
        return Arguments.of(name, pod, expected);
    }

    static CgroupLimits limits(long shares, Long quota, Long memory) {
        return new CgroupLimits(shares, quota, 100_000, memory, false, PIDS);
    }

    static Stream<Arguments> pods() {
        var g = c("app", "cpu=500m,memory=64Mi", "cpu=500m,memory=64Mi");
        return Stream.of(
                row("BestEffort gets the minimum shares and no limits",
                        pod(List.of(), List.of(c("app", "", ""))), limits(2, null, null)),
                row("Guaranteed sums the containers' limits",
                        pod(List.of(), List.of(g, c("two", "cpu=250m,memory=32Mi", "cpu=250m,memory=32Mi"))),
                        limits(768, 75_000L, 96 * MI)),
                row("a limit alone defaults the request (Guaranteed)",
                        pod(List.of(), List.of(c("app", "", "cpu=250m,memory=32Mi"))), limits(256, 25_000L, 32 * MI)),
                row("Burstable without a cpu limit in one container: shares and memory, no quota",
                        pod(List.of(), List.of(g, c("two", "cpu=100m,memory=16Mi", "memory=32Mi"))),
                        limits(614, null, 96 * MI)),
                row("Burstable without any memory limit in one container: no memory limit",
                        pod(List.of(), List.of(c("app", "cpu=100m", "cpu=1"), c("two", "cpu=100m,memory=8Mi", "cpu=1"))),
                        limits(204, 200_000L, null)),
                row("an init container larger than the app containers sizes the pod",
                        pod(List.of(c("init", "cpu=2,memory=256Mi", "cpu=2,memory=256Mi")), List.of(g)),
                        limits(2048, 200_000L, 256 * MI)),
                row("an init container without limits keeps the pod's quota and memory unlimited",
                        pod(List.of(c("init", "cpu=100m", "")), List.of(g)), limits(512, null, null)),
                row("sidecars add to the app containers and to later init containers (KEP-753)",
                        pod(List.of(sidecar("proxy", "cpu=200m,memory=16Mi", "cpu=200m,memory=16Mi"),
                                        c("init", "cpu=1,memory=64Mi", "cpu=1,memory=64Mi")),
                                List.of(g)),
                        // apps+sidecar 700m/80Mi; init term 1200m/80Mi → max 1200m/80Mi
                        limits(1228, 120_000L, 80 * MI)),
                row("a sidecar declared after an init container does not add to it",
                        pod(List.of(c("init", "cpu=1,memory=64Mi", "cpu=1,memory=64Mi"),
                                        sidecar("proxy", "cpu=200m,memory=16Mi", "cpu=200m,memory=16Mi")),
                                List.of(g)),
                        limits(1024, 100_000L, 80 * MI)),
                row("a tiny cpu limit gets the minimum quota", pod(List.of(), List.of(c("app", "", "cpu=1m,memory=8Mi"))),
                        limits(2, 1000L, 8 * MI)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pods")
    void podCgroup(String name, Pod pod, CgroupLimits expected) {
        assertThat(CgroupPolicy.pod(pod, PIDS)).isEqualTo(expected);
    }

    @Test
    void podLevelResourcesReplaceTheAggregate() {
        Pod p = pod(List.of(), List.of(c("app", "cpu=100m", ""), c("two", "", "")));
        p.getSpec().setResources(res("", "cpu=1,memory=256Mi"));
        assertThat(CgroupPolicy.pod(p, 0)).isEqualTo(new CgroupLimits(1024, 100_000L, 100_000, 256 * MI, false, null));
        assertThat(CgroupPolicy.qosParent(p)).isEqualTo("");
    }

    @Test
    void aRecordedQosClassWinsOverTheSpec() {
        // After a resize the class never changes (KEP-1287): status.qosClass is the pod's.
        Pod p = pod(List.of(), List.of(c("app", "cpu=100m", "cpu=200m")));
        p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withQosClass("BestEffort").build());
        assertThat(CgroupPolicy.pod(p, 0).cpuShares()).isEqualTo(2);
        assertThat(CgroupPolicy.qosParent(p)).isEqualTo("besteffort");
    }

    @Test
    void rendersAsV1AndV2Files() {
        var limits = CgroupPolicy.pod(pod(List.of(), List.of(c("app", "cpu=250m,memory=32Mi", "cpu=500m,memory=64Mi"))), PIDS);
        assertThat(limits.files(CgroupMode.V1)).extracting(f -> f.name() + "=" + f.value()).containsExactly(
                "cpu.shares=256", "cpu.cfs_period_us=100000", "cpu.cfs_quota_us=50000",
                "memory.limit_in_bytes=67108864", "pids.max=4096");
        assertThat(limits.files(CgroupMode.V2)).extracting(f -> f.name() + "=" + f.value()).containsExactly(
                "cpu.weight=35", "cpu.max=50000 100000", "memory.max=67108864", "pids.max=4096");
    }

    @Test
    void containerLimitsMatchTheOciSpec() {
        var app = c("app", "cpu=250m,memory=32Mi", "cpu=500m,memory=64Mi");
        assertThat(CgroupPolicy.container(app, true)).isEqualTo(new CgroupLimits(256, 50_000L, 100_000, 64 * MI, true, null));
        assertThat(CgroupPolicy.container(c("app", "", ""), false)).isEqualTo(new CgroupLimits(2, null, 100_000, null, false, null));
    }

    @Test
    void qosParentsWeighTheirPods() {
        Pod burstable1 = pod(List.of(), List.of(c("a", "cpu=250m", "cpu=500m")));
        Pod burstable2 = pod(List.of(sidecar("s", "cpu=100m", "")), List.of(c("b", "cpu=150m,memory=8Mi", "")));
        Pod guaranteed = pod(List.of(), List.of(c("g", "cpu=1,memory=8Mi", "cpu=1,memory=8Mi")));
        assertThat(CgroupPolicy.qosParent(burstable1)).isEqualTo("burstable");
        assertThat(CgroupPolicy.qosParent(pod(List.of(), List.of(c("e", "", ""))))).isEqualTo("besteffort");
        // kubelet: burstable shares from the summed requests of the Burstable pods only (500m → 512).
        assertThat(CgroupPolicy.qosParent("burstable", List.of(burstable1, burstable2, guaranteed)))
                .isEqualTo(new CgroupLimits(512, null, 100_000, null, false, null));
        assertThat(CgroupPolicy.qosParent("burstable", List.of())).extracting(CgroupLimits::cpuShares).isEqualTo(2L);
        assertThat(CgroupPolicy.qosParent("besteffort", List.of(burstable1))).extracting(CgroupLimits::cpuShares).isEqualTo(2L);
    }
}
