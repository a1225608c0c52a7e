package dev.peapod.node.spec;

import dev.peapod.image.ImageConfig;
import dev.peapod.oci.spec.SpecJson;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.peapod.node.spec.Fixtures.input;
import static dev.peapod.node.spec.Fixtures.pod;
import static dev.peapod.node.spec.Fixtures.podYaml;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole config.json documents compared with src/test/resources/spec-golden/NAME.json. After a
 * deliberate change, regenerate them with
 * {@code mvn -o -q -pl node test -Dtest=SpecGeneratorGoldenTest -Dpeapod.updateGolden=true}
 * and review the diff.
 */
class SpecGeneratorGoldenTest {

    private static final Path GOLDEN = Path.of("src/test/resources/spec-golden");
    private static final boolean UPDATE = Boolean.getBoolean("peapod.updateGolden");

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("busybox-plain", input(pod(podYaml("""
                        - name: app
                          image: busybox:1.36
                        """)), "app")),
                Arguments.of("command-and-args", input(pod(podYaml("""
                        - name: app
                          image: busybox:1.36
                          command: ["/bin/echo"]
                          args: ["hello", "world"]
                        """)), "app").withImage(new ImageConfig(List.of("/docker-entrypoint.sh"),
                        List.of("nginx", "-g", "daemon off;"), List.of("PATH=/usr/bin:/bin"), "/srv", null, "SIGQUIT"))),
                Arguments.of("args-only", input(pod(podYaml("""
                        - name: app
                          image: nginx
                          args: ["nginx-debug", "-g", "daemon off;"]
                        """)), "app").withImage(new ImageConfig(List.of("/docker-entrypoint.sh"),
                        List.of("nginx", "-g", "daemon off;"), List.of("PATH=/usr/bin:/bin"), "/srv", null, "SIGQUIT"))),
                Arguments.of("env-expansion", expansion()),
                Arguments.of("env-override-order", overrideOrder()),
                Arguments.of("share-process-namespace", input(pod("""
                        apiVersion: v1
                        kind: Pod
                        metadata: {name: web, namespace: shop, uid: %s}
                        spec:
                          shareProcessNamespace: true
                          initContainers:
                          - name: setup
                            image: busybox:1.36
                            command: ["sh", "-c", "echo ready"]
                          containers:
                          - name: app
                            image: busybox:1.36
                        """.formatted(Fixtures.POD_UID)), "setup")),
                Arguments.of("volume-mounts", volumes()),
                Arguments.of("run-as-user", runAsUser()));
    }

    private static SpecInput expansion() {
        var in = input(pod(podYaml("""
                - name: app
                  image: busybox:1.36
                  command: ["sh", "-c", "echo $(GREETING) $$(GREETING) $(UNDEFINED) $(HOSTNAME) $$HOME"]
                  args: ["$(ADDR)", "$(", "cost: $$5"]
                """)), "app");
        return in.withFacts(in.facts().withEnv(List.of(
                ResolvedEnv.resolved("SERVICE_HOST", "10.0.0.7"),
                ResolvedEnv.literal("GREETING", "hello"),
                ResolvedEnv.literal("ADDR", "$(SERVICE_HOST):$(PORT)"),
                ResolvedEnv.literal("PORT", "8080"),
                ResolvedEnv.literal("LATE", "$(PORT)/$(GREETING)"),
                ResolvedEnv.resolved("FROM_CONFIGMAP", "$(GREETING) stays"),
                ResolvedEnv.literal("ESCAPED", "$$(GREETING) and $$$(GREETING)"))));
    }

    private static SpecInput overrideOrder() {
        var in = input(pod(podYaml("""
                - name: app
                  image: busybox:1.36
                """)), "app").withImage(new ImageConfig(List.of(), List.of("sh"),
                List.of("PATH=/opt/bin:/bin", "LANG=C", "MODE=image", "DROPPED"), null, null, null));
        return in.withFacts(in.facts().withEnv(List.of(
                ResolvedEnv.literal("MODE", "first"),
                ResolvedEnv.literal("EXTRA", "x"),
                ResolvedEnv.literal("MODE", "second-$(MODE)"),
                ResolvedEnv.literal("HOSTNAME", "custom"),
                ResolvedEnv.literal("LANG", "C.UTF-8"))));
    }

    private static SpecInput volumes() {
        var in = input(pod(podYaml("""
                - name: app
                  image: busybox:1.36
                  terminationMessagePath: /tmp/done
                """)), "app");
        Path vols = Path.of("/var/lib/peapod/pods", Fixtures.POD_UID, "volumes");
        return in.withFacts(in.facts().withMounts(List.of(
                new ResolvedMount("/data/cache/deep", vols.resolve("kubernetes.io~empty-dir/cache"), false),
                new ResolvedMount("/etc/config", vols.resolve("kubernetes.io~configmap/config"), true),
                new ResolvedMount("/data", vols.resolve("kubernetes.io~empty-dir/data"), false),
                new ResolvedMount("/etc/resolv.conf", Path.of("/srv/custom-resolv.conf"), true))));
    }

    private static SpecInput runAsUser() {
        var in = input(pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: default, uid: %s}
                spec:
                  securityContext:
                    runAsUser: 1000
                    runAsGroup: 3000
                    fsGroup: 2000
                    supplementalGroups: [4000]
                  containers:
                  - name: app
                    image: busybox:1.36
                    securityContext:
                      runAsUser: 1001
                      allowPrivilegeEscalation: false
                      readOnlyRootFilesystem: true
                      capabilities:
                        drop: ["ALL"]
                        add: ["NET_BIND_SERVICE"]
                """.formatted(Fixtures.POD_UID)), "app");
        return in.withFacts(in.facts().withUsers(Passwd.parse("""
                root:x:0:0:root:/root:/bin/sh
                app:x:1001:1001:app:/home/app:/bin/sh
                """, """
                root:x:0:
                app:x:1001:
                audio:x:29:app,other
                """)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesGoldenFile(String name, SpecInput in) throws IOException {
        String actual = SpecJson.toJson(SpecGenerator.generate(in));
        Path file = GOLDEN.resolve(name + ".json");
        if (UPDATE) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, actual);
        }
        assertThat(file).as("golden file %s (run with -Dpeapod.updateGolden=true to create it)", file).exists();
        assertThat(actual).isEqualTo(Files.readString(file));
    }
}
