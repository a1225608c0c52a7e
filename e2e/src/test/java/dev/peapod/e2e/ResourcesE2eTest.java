package dev.peapod.e2e;

import dev.peapod.node.ConfigSource;
import dev.peapod.oci.Cgroups.CgroupMode;
import dev.peapod.oci.HostCgroups;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Requests and limits on real cgroups: the limit files as the container sees them, the pod cgroup
 * as the host sees it, the QoS class, and the OOM killer's verdict as {@code OOMKilled}.
 */
class ResourcesE2eTest {

    /**
     * Prints the container's own cpu quota, memory limit and pids limit: on v2 (cgroup namespace)
     * the files at /sys/fs/cgroup, on v1 the per-controller ones (the runtime mounts the container's
     * own cgroup there).
     */
    static final String PRINT_LIMITS = """
            if [ -f /sys/fs/cgroup/cpu.max ]; then
              echo "cpu $(cut -d' ' -f1 /sys/fs/cgroup/cpu.max)"; echo "memory $(cat /sys/fs/cgroup/memory.max)"
            else
              echo "cpu $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)"; echo "memory $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
            fi
            """;

    @Test
    void theContainerSeesItsLimitsAndThePodCgroupHoldsTheirSum() throws Exception {
        try (var h = new Harness(Harness.defaultConfig().withPodPidsLimit(64), ConfigSource.EMPTY)) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: limits}
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["sh", "-c", %s]
                        resources:
                          requests: {cpu: 250m, memory: 32Mi}
                          limits: {cpu: 500m, memory: 48Mi}
                      - name: helper
                        image: peapod/busybox:latest
                        command: ["sleep", "30"]
                        resources:
                          limits: {cpu: 100m, memory: 16Mi}
                    """.formatted(jsonString(PRINT_LIMITS + "sleep 30")));
            await().atMost(Duration.ofSeconds(30)).until(() -> h.logs(pod, "app").size() >= 2);
            assertThat(h.logs(pod, "app")).containsExactly("cpu 50000", "memory " + (48L << 20));

            // Burstable (requests below limits), every container limited: the pod cgroup is capped
            // at the sum, 600m and 64Mi, and holds the node's pids limit.
            Pod running = h.latest(pod);
            assertThat(running.getStatus().getQosClass()).isEqualTo("Burstable");
            String cgroup = "peapod/burstable/pod-" + pod.getMetadata().getUid();
            if (HostCgroups.detectMode() == CgroupMode.V2) {
                Path dir = Path.of("/sys/fs/cgroup").resolve(cgroup);
                assertThat(read(dir.resolve("cpu.max"))).isEqualTo("60000 100000");
                assertThat(read(dir.resolve("memory.max"))).isEqualTo(Long.toString(64L << 20));
                assertThat(read(dir.resolve("pids.max"))).isEqualTo("64");
            } else {
                Path fs = Path.of("/sys/fs/cgroup");
                assertThat(read(fs.resolve("cpu").resolve(cgroup).resolve("cpu.cfs_quota_us"))).isEqualTo("60000");
                // requests 250m + 100m (defaulted from the limit) → 358 shares
                assertThat(read(fs.resolve("cpu").resolve(cgroup).resolve("cpu.shares"))).isEqualTo("358");
                assertThat(read(fs.resolve("memory").resolve(cgroup).resolve("memory.limit_in_bytes")))
                        .isEqualTo(Long.toString(64L << 20));
                assertThat(read(fs.resolve("pids").resolve(cgroup).resolve("pids.max"))).isEqualTo("64");
                // The QoS parent weighs what its Burstable pods requested (kubelet's kubepods/burstable).
                assertThat(read(fs.resolve("cpu/peapod/burstable/cpu.shares"))).isEqualTo("358");
            }
        }
    }

    @Test
    void aContainerAllocatingBeyondItsMemoryLimitIsOomKilledWithExitCode137() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: oom}
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: hog
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "head -c 64m /dev/zero | tail"]
                        resources:
                          limits: {cpu: 500m, memory: 16Mi}
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            var terminated = done.getStatus().getContainerStatuses().getFirst().getState().getTerminated();
            assertThat(terminated.getReason()).isEqualTo("OOMKilled");
            assertThat(terminated.getExitCode()).isEqualTo(137);
            assertThat(done.getStatus().getPhase()).isEqualTo("Failed");
            assertThat(done.getStatus().getQosClass()).isEqualTo("Guaranteed");
        }
    }

    /**
     * In-place resize (KEP-1287): a cpu limit change reaches the running container's cgroup without a
     * restart; a memory change whose resizePolicy is RestartContainer restarts it with the new limit.
     */
    @Test
    void resizingCpuChangesTheLimitInPlaceAndMemoryRestartsTheContainer() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: resize}
                    spec:
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["sh", "-c", %s]
                        resizePolicy:
                        - {resourceName: cpu, restartPolicy: NotRequired}
                        - {resourceName: memory, restartPolicy: RestartContainer}
                        resources:
                          requests: {cpu: 100m, memory: 32Mi}
                          limits: {cpu: 200m, memory: 64Mi}
                    """.formatted(jsonString("while true; do " + PRINT_LIMITS + "sleep 0.2; done")));
            String uid = pod.getMetadata().getUid();
            await().atMost(Duration.ofSeconds(30)).until(() -> h.logs(pod, "app").contains("cpu 20000"));

            var errors = h.engine.resize(uid, java.util.Map.of("app", resources("100m", "32Mi", "300m", "64Mi")))
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(errors).isEmpty();
            await().atMost(Duration.ofSeconds(30)).until(() -> h.logs(pod, "app").contains("cpu 30000"));
            var app = h.latest(pod).getStatus().getContainerStatuses().getFirst();
            assertThat(app.getRestartCount()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> h.latest(pod).getStatus().getContainerStatuses().getFirst()
                    .getResources().getLimits().get("cpu").equals(new io.fabric8.kubernetes.api.model.Quantity("300m")));

            assertThat(h.engine.resize(uid, java.util.Map.of("app", resources("100m", "32Mi", "300m", "48Mi")))
                    .get(30, java.util.concurrent.TimeUnit.SECONDS)).isEmpty();
            await().atMost(Duration.ofSeconds(60)).until(() -> h.logs(pod, "app", 1).contains("memory " + (48L << 20)));
            var restarted = h.latest(pod).getStatus().getContainerStatuses().getFirst();
            assertThat(restarted.getRestartCount()).isEqualTo(1);
            assertThat(h.logs(pod, "app", 1)).contains("cpu 30000");
        }
    }

    private static io.fabric8.kubernetes.api.model.ResourceRequirements resources(String cpuReq, String memReq,
                                                                                    String cpuLim, String memLim) {
        return new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity(cpuReq))
                .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity(memReq))
                .addToLimits("cpu", new io.fabric8.kubernetes.api.model.Quantity(cpuLim))
                .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity(memLim)).build();
    }

    private static String read(Path file) throws java.io.IOException {
        return Files.readString(file).strip();
    }

    private static String jsonString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
