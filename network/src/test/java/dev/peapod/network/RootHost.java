package dev.peapod.network;

import dev.peapod.oci.JdkProcessRunner;
import dev.peapod.oci.ProcessResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Host checks and shell helpers for the tests that need root and the real CNI plugins. */
final class RootHost {
    static final Path PLUGINS = Path.of("/usr/lib/cni");
    private static final JdkProcessRunner RUNNER = new JdkProcessRunner();

    private RootHost() {}

    /** Fails (not skips) with what is missing, as DESIGN.md asks of tests that need the host. */
    static void require() {
        assertThat(new com.sun.security.auth.module.UnixSystem().getUid())
                .as("these tests create network namespaces and bridges: run them as root").isZero();
        for (String p : List.of("bridge", "host-local", "portmap", "firewall")) {
            assertThat(Files.isExecutable(PLUGINS.resolve(p)))
                    .as("CNI plugin %s missing in %s: install containernetworking-plugins", p, PLUGINS).isTrue();
        }
    }

    static ProcessResult sh(String command) {
        return RUNNER.run(List.of("/bin/sh", "-c", command), Map.of("PATH", PluginInvoker.PATH), null, Duration.ofSeconds(30));
    }

    /** Runs {@code command}, asserting success; returns stdout. */
    static String ok(String command) {
        ProcessResult r = sh(command);
        assertThat(r.exitCode()).as("%s: %s", command, r.stderr()).isZero();
        return r.stdout();
    }
}
