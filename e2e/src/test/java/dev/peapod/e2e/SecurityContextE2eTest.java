package dev.peapod.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** securityContext with real containers: what the process may do is checked from inside. */
class SecurityContextE2eTest {

    @Test
    void readOnlyRootDroppedCapabilityAndNoNewPrivsHoldInside() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: restricted}
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: ro
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "touch /x 2>&1 || echo refused; touch /dev/shm/y && echo shm-writable"]
                        securityContext: {readOnlyRootFilesystem: true}
                      - name: nochown
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "touch /f; chown 1:1 /f 2>&1 || echo refused; id -u"]
                        securityContext: {capabilities: {drop: [CHOWN]}}
                      - name: nnp
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "grep NoNewPrivs /proc/self/status"]
                        securityContext: {allowPrivilegeEscalation: false}
                      - name: plain
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "grep NoNewPrivs /proc/self/status; touch /f; chown 1:1 /f && echo chowned"]
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(h.logs(pod, "ro")).containsExactly("touch: /x: Read-only file system", "refused", "shm-writable");
            assertThat(h.logs(pod, "nochown")).containsExactly("chown: /f: Operation not permitted", "refused", "0");
            assertThat(h.logs(pod, "nnp")).containsExactly("NoNewPrivs:\t1");
            assertThat(h.logs(pod, "plain")).containsExactly("NoNewPrivs:\t0", "chowned");
        }
    }

    @Test
    void aPrivilegedContainerSeesTheHostDevicesWithEveryCapabilityAndNoSeccomp() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: privileged}
                    spec:
                      restartPolicy: Never
                      securityContext: {seccompProfile: {type: RuntimeDefault}}
                      containers:
                      - name: priv
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "test -b /dev/vda && echo has-vda; grep -E 'CapEff|Seccomp:' /proc/self/status; grep -c ' /proc/' /proc/mounts; true"]
                        securityContext: {privileged: true}
                      - name: plain
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "test -b /dev/vda || echo no-vda"]
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(Path.of("/dev/vda")).as("this test needs the host's /dev/vda").exists();
            // Every capability Peapod itself may grant (this VM's bounding set lacks CAP_SYS_RESOURCE).
            String bounding = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("CapBnd:")).findFirst().orElseThrow().substring(7).strip();
            assertThat(h.logs(pod, "priv")).containsExactly("has-vda", "CapEff:\t" + bounding, "Seccomp:\t0", "0");
            assertThat(h.logs(pod, "plain")).containsExactly("no-vda");
        }
    }

    @Test
    void runAsNonRootWithARootImageIsACreateContainerConfigError() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: nonroot, uid: 9b7c1f3e-0000-4000-8000-00000000aa01}
                    spec:
                      securityContext: {runAsNonRoot: true}
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["sleep", "60"]
                    """);
            await().atMost(Duration.ofSeconds(30)).until(() -> RestartAndTerminationE2eTest.waitingReason(h.latest(pod))
                    .equals("CreateContainerConfigError"));
            var waiting = h.latest(pod).getStatus().getContainerStatuses().getFirst().getState().getWaiting();
            assertThat(waiting.getMessage()).isEqualTo("container has runAsNonRoot and image will run as root "
                    + "(pod: \"nonroot_default(9b7c1f3e-0000-4000-8000-00000000aa01)\", container: app)");
            assertThat(h.listener.events(pod.getMetadata().getUid(), "Started")).isEmpty();
        }
    }

    @Test
    void seccompRuntimeDefaultFiltersUnconfinedDoesNotAndALocalhostProfileApplies() throws Exception {
        try (var h = new Harness()) {
            Path profile = h.config.security().seccompRoot().resolve("peapod-e2e/deny-mkdir.json");
            Files.createDirectories(profile.getParent());
            Files.writeString(profile, """
                    {"defaultAction": "SCMP_ACT_ALLOW",
                     "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
                    """);
            try {
                Pod pod = h.run("""
                        apiVersion: v1
                        kind: Pod
                        metadata: {name: seccomp}
                        spec:
                          restartPolicy: Never
                          securityContext: {seccompProfile: {type: RuntimeDefault}}
                          containers:
                          - name: default
                            image: peapod/busybox:latest
                            command: ["sh", "-c", "grep Seccomp: /proc/self/status; mkdir /tmp/d && echo mkdir-ok"]
                          - name: unconfined
                            image: peapod/busybox:latest
                            command: ["sh", "-c", "grep Seccomp: /proc/self/status"]
                            securityContext: {seccompProfile: {type: Unconfined}}
                          - name: local
                            image: peapod/busybox:latest
                            command: ["sh", "-c", "grep Seccomp: /proc/self/status; mkdir /tmp/d 2>&1 || echo refused"]
                            securityContext: {seccompProfile: {type: Localhost, localhostProfile: peapod-e2e/deny-mkdir.json}}
                          - name: missing
                            image: peapod/busybox:latest
                            command: ["true"]
                            securityContext: {seccompProfile: {type: Localhost, localhostProfile: peapod-e2e/none.json}}
                        """);
                await().atMost(Duration.ofSeconds(30)).until(() -> waiting(h.latest(pod), "missing") != null
                        && "CreateContainerError".equals(waiting(h.latest(pod), "missing").getReason()));
                assertThat(waiting(h.latest(pod), "missing").getMessage())
                        .isEqualTo("failed to generate seccomp spec opts: cannot load seccomp profile \""
                                + profile.resolveSibling("none.json") + "\": no such file");
                await().atMost(Duration.ofSeconds(30)).until(() -> h.latest(pod).getStatus().getContainerStatuses().stream()
                        .filter(st -> st.getState().getTerminated() != null).count() == 3);
                h.engine.terminate(pod.getMetadata().getUid(), Duration.ofSeconds(1));
                h.awaitFinished(pod, Duration.ofSeconds(60));
                assertThat(h.logs(pod, "default")).containsExactly("Seccomp:\t2", "mkdir-ok");
                assertThat(h.logs(pod, "unconfined")).containsExactly("Seccomp:\t0");
                assertThat(h.logs(pod, "local")).containsExactly("Seccomp:\t2",
                        "mkdir: can't create directory '/tmp/d': Operation not permitted", "refused");
            } finally {
                Files.deleteIfExists(profile);
            }
        }
    }

    @Test
    void fsGroupOwnsTheEmptyDirWithSetgidAndNewFilesInheritItAndMakesConfigFilesGroupReadable() throws Exception {
        var config = Harness.configSource("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: cfg, namespace: default}
                data: {key: value}
                """);
        try (var h = new Harness(Duration.ofSeconds(10), Duration.ofSeconds(300), config)) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: fsgroup}
                    spec:
                      restartPolicy: Never
                      securityContext: {runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000]}
                      volumes:
                      - {name: data, emptyDir: {}}
                      - {name: cfg, configMap: {name: cfg, defaultMode: 0400}}
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "id; stat -c '%a %g' /data; touch /data/f; stat -c '%u %g' /data/f; stat -L -c '%a %g' /cfg/key; cat /cfg/key; echo"]
                        volumeMounts: [{name: data, mountPath: /data}, {name: cfg, mountPath: /cfg}]
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            // 0400 from defaultMode plus group read: uid 1000 reads a root-owned file through fsGroup.
            assertThat(h.logs(pod, "app")).containsExactly("uid=1000 gid=3000 groups=2000,3000,4000",
                    "2777 2000", "1000 2000", "440 2000", "value");
            // status user.linux (KEP-3619) is the identity `id` printed: uid, gid and the groups.
            var user = done.getStatus().getContainerStatuses().getFirst().getUser().getLinux();
            assertThat("uid=" + user.getUid() + " gid=" + user.getGid() + " groups=" + user.getSupplementalGroups()
                    .stream().sorted().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")))
                    .isEqualTo(h.logs(pod, "app").getFirst());
        }
    }

    @Test
    void aSafeSysctlIsSetInThePodAndAnUnsafeOneRejectsThePod() throws Exception {
        try (var h = new Harness()) {
            Pod safe = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: sysctl-safe}
                    spec:
                      restartPolicy: Never
                      securityContext:
                        sysctls:
                        - {name: net.ipv4.ip_unprivileged_port_start, value: "80"}
                        - {name: kernel/shm_rmid_forced, value: "1"}
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/shm_rmid_forced"]
                    """);
            Pod unsafe = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: sysctl-unsafe}
                    spec:
                      restartPolicy: Never
                      securityContext:
                        sysctls: [{name: kernel.msgmax, value: "65536"}]
                      containers:
                      - {name: app, image: peapod/busybox:latest, command: ["true"]}
                    """);
            Pod done = h.awaitFinished(safe, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(h.logs(safe, "app")).containsExactly("80", "1");
            Pod rejected = h.awaitFinished(unsafe, Duration.ofSeconds(60));
            assertThat(rejected.getStatus().getPhase()).isEqualTo("Failed");
            assertThat(rejected.getStatus().getReason()).isEqualTo("SysctlForbidden");
            assertThat(rejected.getStatus().getMessage()).isEqualTo("forbidden sysctl: \"kernel.msgmax\" not allowlisted");
            assertThat(h.listener.events(unsafe.getMetadata().getUid(), "Started")).isEmpty();
        }
    }

    @Test
    void anUnsafeSysctlTheNodeAllowsIsSet() throws Exception {
        var config = Harness.defaultConfig();
        config = config.withSecurity(config.security().withAllowedUnsafeSysctls(java.util.List.of("kernel.msg*")));
        try (var h = new Harness(config, dev.peapod.node.ConfigSource.EMPTY)) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: sysctl-allowed}
                    spec:
                      restartPolicy: Never
                      securityContext:
                        sysctls: [{name: kernel.msgmax, value: "65536"}]
                      containers:
                      - {name: app, image: peapod/busybox:latest, command: ["cat", "/proc/sys/kernel/msgmax"]}
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(h.logs(pod, "app")).containsExactly("65536");
        }
    }

    @Test
    void hostUsersFalseMapsThePodToItsOwnHostRangeWithIdmappedLayersAndVolumes() throws Exception {
        try (var h = new Harness()) {
            String uid = "9b7c1f3e-0000-4000-8000-00000000bb02";
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: userns, uid: %s}
                    spec:
                      hostUsers: false
                      terminationGracePeriodSeconds: 1
                      volumes:
                      - {name: data, emptyDir: {}}
                      - {name: tools, image: {reference: peapod/busybox:latest, pullPolicy: IfNotPresent}}
                      containers:
                      - name: root
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "cat /proc/self/uid_map; stat -c '%%u %%g' /bin/busybox; id -u; touch /rootfs-made /data/by-root && echo made; /tools/bin/busybox true && echo image-volume; sleep 60"]
                        volumeMounts: [{name: data, mountPath: /data}, {name: tools, mountPath: /tools}]
                      - name: user
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "touch /data/by-1000 && echo made; sleep 60"]
                        securityContext: {runAsUser: 1000}
                        volumeMounts: [{name: data, mountPath: /data}]
                      - name: masked
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "grep -c ' /proc/' /proc/mounts; sleep 60"]
                      - name: unmasked
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "grep -c ' /proc/' /proc/mounts; sleep 60"]
                        securityContext: {procMount: Unmasked}
                    """.formatted(uid));
            await().atMost(Duration.ofSeconds(30)).until(() -> h.logs(pod, "root").contains("image-volume")
                    && h.logs(pod, "user").contains("made"));
            var lines = h.logs(pod, "root");
            String[] map = lines.getFirst().trim().split("\\s+");
            long hostId = Long.parseLong(map[1]);
            assertThat(map[0]).isEqualTo("0");
            assertThat(map[2]).isEqualTo("65536");
            assertThat(hostId).isGreaterThanOrEqualTo(65536);
            // The image's root-owned files belong to the container's root through the idmapped layers.
            assertThat(lines.subList(1, 4)).containsExactly("0 0", "0", "made");

            // masked/unmasked sleep after printing: under restartPolicy Always an exited container is restarted,
            // and each restart removes its old container directory while the search below walks the tree (CI saw
            // NoSuchFileException from exactly that race).
            Path pods = h.config.dataDir().resolve("pods").resolve(uid);
            Path made;
            try (var files = Files.find(pods.resolve("containers"), 3, (p, a) -> p.getFileName().toString().equals("rootfs-made"))) {
                made = files.findFirst().orElseThrow();
            }
            // Written through the overlay's upper directory: owned by the pod's host root id.
            assertThat(Files.getAttribute(made, "unix:uid")).isEqualTo((int) hostId);
            // Volumes are idmapped: on disk, files carry the ids the container sees.
            Path data = pods.resolve("volumes/kubernetes.io~empty-dir/data");
            assertThat(Files.getAttribute(data.resolve("by-root"), "unix:uid")).isEqualTo(0);
            assertThat(Files.getAttribute(data.resolve("by-1000"), "unix:uid")).isEqualTo(1000);
            // procMount: Unmasked (allowed with hostUsers: false) leaves /proc without masks and read-only mounts.
            await().atMost(Duration.ofSeconds(30)).until(() -> !h.logs(pod, "unmasked").isEmpty() && !h.logs(pod, "masked").isEmpty());
            assertThat(h.logs(pod, "unmasked")).containsExactly("0");
            assertThat(Integer.parseInt(h.logs(pod, "masked").getFirst())).isGreaterThan(5);
            h.engine.terminate(uid, Duration.ofSeconds(1));
            h.awaitFinished(pod, Duration.ofSeconds(60));
        }
    }

    @Test
    void anAppArmorProfileOnAHostWithoutAppArmorRejectsThePod() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: apparmor}
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["true"]
                        securityContext: {appArmorProfile: {type: Localhost, localhostProfile: k8s-deny-write}}
                    """);
            Pod rejected = h.awaitFinished(pod, Duration.ofSeconds(60));
            // This host has no AppArmor (no /sys/module/apparmor); on one with it the pod would run.
            assertThat(Path.of("/sys/module/apparmor/parameters/enabled")).doesNotExist();
            assertThat(rejected.getStatus().getPhase()).isEqualTo("Failed");
            assertThat(rejected.getStatus().getReason()).isEqualTo("AppArmor");
            assertThat(rejected.getStatus().getMessage()).isEqualTo("Cannot enforce AppArmor: AppArmor is not enabled on the host");
        }
    }

    private static io.fabric8.kubernetes.api.model.ContainerStateWaiting waiting(Pod p, String container) {
        if (p == null || p.getStatus() == null) return null;
        return p.getStatus().getContainerStatuses().stream().filter(s -> s.getName().equals(container))
                .findFirst().map(s -> s.getState().getWaiting()).orElse(null);
    }
}
