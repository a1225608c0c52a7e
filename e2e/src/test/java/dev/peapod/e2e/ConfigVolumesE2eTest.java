package dev.peapod.e2e;

import dev.peapod.api.Manifests;
import dev.peapod.node.ConfigSource;
import dev.peapod.node.volume.ServiceAccountTokens;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * configMap, secret, downwardAPI and projected volumes seen from inside real containers: contents,
 * modes, tmpfs for secrets, read-only mounts, live updates; env from ConfigMaps, Secrets and the
 * downward API; CreateContainerConfigError until a missing ConfigMap appears.
 */
class ConfigVolumesE2eTest {
    private static final String OBJECTS = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: app}
            data: {app.conf: "port=80", mode: debug}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: creds}
            data: {password: czNjcjN0}
            stringData: {user: admin}
            """;

    private static ConfigSource.MutableConfigSource source(String yaml) {
        var source = new ConfigSource.MutableConfigSource();
        for (HasMetadata o : Manifests.parse(yaml, "objects.yaml")) {
            if (o instanceof ConfigMap c) source.put(c);
            if (o instanceof Secret s) source.put(s);
        }
        return source;
    }

    private static ConfigMap configMap(String name, Map<String, String> data) {
        var cm = new ConfigMap();
        cm.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace("default").build());
        cm.setData(data);
        return cm;
    }

    @Test
    void filesModesAndMountsOfEveryConfigVolumeTypeAsTheContainerSeesThem() throws Exception {
        try (var h = new Harness(Duration.ofSeconds(10), Duration.ofSeconds(300), source(OBJECTS))) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: config-volumes, labels: {app: web}}
                    spec:
                      restartPolicy: Never
                      serviceAccountName: builder
                      volumes:
                      - {name: cfg, configMap: {name: app, items: [{key: app.conf, path: conf/app.conf, mode: 0600}]}}
                      - {name: sec, secret: {secretName: creds, defaultMode: 0400}}
                      - name: info
                        downwardAPI:
                          items:
                          - {path: labels, fieldRef: {fieldPath: metadata.labels}}
                          - {path: mem, resourceFieldRef: {containerName: app, resource: limits.memory, divisor: 1Mi}}
                      - name: all
                        projected:
                          sources:
                          - configMap: {name: app, items: [{key: mode, path: mode}]}
                          - secret: {name: creds, items: [{key: user, path: user}]}
                          - serviceAccountToken: {path: token, audience: peapod-e2e, expirationSeconds: 600}
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        resources: {limits: {memory: 64Mi}}
                        command:
                        - sh
                        - -c
                        - |
                          cat /cfg/conf/app.conf; echo; stat -L -c %a /cfg/conf/app.conf
                          cat /sec/password; echo; stat -L -c %a /sec/password /sec/user
                          cat /info/labels; echo; cat /info/mem; echo
                          cat /all/mode; echo; cat /all/user; echo
                          for m in /cfg /sec /info /all; do grep " $m " /proc/mounts | cut -d' ' -f3,4 | cut -d, -f1; done
                          touch /cfg/x 2>/dev/null || echo cfg-read-only
                          ls -a /cfg | tr '\\n' ' '; echo
                          cat /all/token; echo
                        volumeMounts:
                        - {name: cfg, mountPath: /cfg}
                        - {name: sec, mountPath: /sec}
                        - {name: info, mountPath: /info}
                        - {name: all, mountPath: /all}
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).as("%s", h.listener.events).isEqualTo("Succeeded");
            List<String> out = h.logs(pod, "app");
            assertThat(out).hasSize(16);
            assertThat(out.subList(0, 9)).containsExactly("port=80", "600", "s3cr3t", "400", "400", "app=\"web\"", "64", "debug", "admin");
            // configMap on the data dir's disk, the others on a tmpfs of their own; all read-only
            assertThat(out.get(9)).doesNotStartWith("tmpfs").endsWith(" ro");
            assertThat(out.subList(10, 14)).containsExactly("tmpfs ro", "tmpfs ro", "tmpfs ro", "cfg-read-only");
            assertThat(out.get(14).split(" ")).contains("..data", "conf").anyMatch(n -> n.matches("\\.\\.\\d{4}_.*"));
            var pub = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(
                    Files.readAllBytes(h.config.dataDir().resolve("serviceaccount/signing.pub"))));
            Map<String, Object> claims = ServiceAccountTokens.verify(out.get(15), pub);
            assertThat(claims).containsEntry("sub", "system:serviceaccount:default:builder")
                    .containsEntry("aud", List.of("peapod-e2e"));
            assertThat(((Number) claims.get("exp")).longValue() - ((Number) claims.get("iat")).longValue()).isEqualTo(600);
        }
    }

    @Test
    void aRunningContainerSeesAConfigMapUpdateAndLabelChangesButNotThroughSubPath() throws Exception {
        var source = source(OBJECTS);
        try (var h = new Harness(Duration.ofSeconds(10), Duration.ofSeconds(300), source)) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: live-config, labels: {rev: one}}
                    spec:
                      terminationGracePeriodSeconds: 1
                      volumes:
                      - {name: cfg, configMap: {name: app}}
                      - {name: info, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "while true; do echo \\"$(cat /cfg/mode) $(cat /pinned) $(cat /info/labels)\\"; sleep 0.2; done"]
                        volumeMounts:
                        - {name: cfg, mountPath: /cfg}
                        - {name: cfg, mountPath: /pinned, subPath: mode}
                        - {name: info, mountPath: /info}
                    """);
            await().atMost(Duration.ofSeconds(30)).until(() -> h.logs(pod, "app").contains("debug debug rev=\"one\""));

            source.put(configMap("app", Map.of("mode", "release")));
            await().atMost(Duration.ofSeconds(10)).until(() -> h.logs(pod, "app").contains("release debug rev=\"one\""));

            h.engine.updatePodMetadata(pod.getMetadata().getUid(), Map.of("rev", "two"), null);
            await().atMost(Duration.ofSeconds(10)).until(() -> h.logs(pod, "app").contains("release debug rev=\"two\""));
            // Never a torn read: every line shows one whole payload.
            assertThat(h.logs(pod, "app")).allMatch(l -> l.matches("(debug|release) debug rev=\"(one|two)\""));
        }
    }

    @Test
    void envFromConfigMapsSecretsAndTheDownwardApi() throws Exception {
        try (var h = new Harness(Duration.ofSeconds(10), Duration.ofSeconds(300), source(OBJECTS))) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: config-env, labels: {tier: back}}
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        resources: {requests: {cpu: 250m}, limits: {cpu: "1", memory: 32Mi}}
                        command: ["sh", "-c", "echo $MODE $PASSWORD $CFG_mode $SEC_user $NAME $TIER $CPU_M $MEM_KI $OPT. $PODIP"]
                        envFrom:
                        - {prefix: CFG_, configMapRef: {name: app}}
                        - {prefix: SEC_, secretRef: {name: creds}}
                        - {configMapRef: {name: absent, optional: true}}
                        env:
                        - {name: MODE, valueFrom: {configMapKeyRef: {name: app, key: mode}}}
                        - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password}}}
                        - {name: NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
                        - {name: TIER, valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"}}}
                        - {name: CPU_M, valueFrom: {resourceFieldRef: {resource: requests.cpu, divisor: 1m}}}
                        - {name: MEM_KI, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Ki}}}
                        - {name: OPT, valueFrom: {configMapKeyRef: {name: app, key: nope, optional: true}}}
                        - {name: PODIP, valueFrom: {fieldRef: {fieldPath: status.podIPs}}}
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            String ip = done.getStatus().getPodIP();
            assertThat(h.logs(pod, "app")).containsExactly("debug s3cr3t debug admin config-env back 250 32768 . " + ip);
        }
    }

    @Test
    void aMissingConfigMapKeepsTheContainerWaitingWithCreateContainerConfigErrorUntilItAppears() throws Exception {
        var source = source(OBJECTS);
        try (var h = new Harness(Duration.ofSeconds(1), Duration.ofSeconds(2), source)) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: config-missing}
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "echo $LATE"]
                        env:
                        - {name: LATE, valueFrom: {configMapKeyRef: {name: late, key: greeting}}}
                    """);
            await().atMost(Duration.ofSeconds(30)).until(() -> RestartAndTerminationE2eTest.waitingReason(h.latest(pod))
                    .equals("CreateContainerConfigError"));
            var waiting = h.latest(pod).getStatus().getContainerStatuses().getFirst().getState().getWaiting();
            assertThat(waiting.getMessage()).isEqualTo("configmap \"late\" not found");

            source.put(configMap("late", Map.of("other", "x")));
            await().atMost(Duration.ofSeconds(15)).until(() -> h.latest(pod).getStatus().getContainerStatuses().getFirst()
                    .getState().getWaiting().getMessage().equals("couldn't find key greeting in ConfigMap default/late"));

            source.put(configMap("late", Map.of("greeting", "hello")));
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(30));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(h.logs(pod, "app")).containsExactly("hello");
        }
    }

    @Test
    void aMissingVolumeObjectOrAHostPathIntoPeapodsStateFailsTheMountNamingIt() throws Exception {
        try (var h = new Harness(Duration.ofSeconds(10), Duration.ofSeconds(300), source(OBJECTS))) {
            Pod missing = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: config-missing-volume}
                    spec:
                      volumes: [{name: s, secret: {secretName: nowhere}}]
                      containers: [{name: app, image: peapod/busybox:latest, volumeMounts: [{name: s, mountPath: /s}]}]
                    """);
            Pod state = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: config-host-state}
                    spec:
                      volumes: [{name: ok, emptyDir: {}}, {name: keys, hostPath: {path: %s}}]
                      containers: [{name: app, image: peapod/busybox:latest, volumeMounts: [{name: keys, mountPath: /keys}]}]
                    """.formatted(h.config.dataDir().resolve("serviceaccount")));
            await().atMost(Duration.ofSeconds(20)).until(() -> !h.listener.events(missing.getMetadata().getUid(), "FailedMount").isEmpty()
                    && !h.listener.events(state.getMetadata().getUid(), "FailedMount").isEmpty());
            assertThat(h.listener.events(missing.getMetadata().getUid(), "FailedMount").getFirst().message())
                    .isEqualTo("MountVolume.SetUp failed for volume \"s\" : secret \"nowhere\" not found");
            assertThat(h.listener.events(state.getMetadata().getUid(), "FailedMount").getFirst().message())
                    .startsWith("MountVolume.SetUp failed for volume \"keys\" : spec.volumes[1].hostPath.path: Forbidden: ")
                    .contains("inside Peapod's own state");
            assertThat(h.latest(missing).getStatus().getPhase()).isEqualTo("Pending");
        }
    }
}
