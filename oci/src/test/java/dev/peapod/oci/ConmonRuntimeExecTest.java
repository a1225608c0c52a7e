package dev.peapod.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link ConmonRuntime#exec} against a real crun + conmon container (root). */
class ConmonRuntimeExecTest {
    private static final Duration LONG = Duration.ofSeconds(20);

    private final HostCgroups cgroups = new HostCgroups();
    private Path work;
    private ConmonRuntime runtime;
    private String podCgroup;
    private String id;

    @BeforeAll
    static void host() {
        TestHost.ensureReady();
    }

    @BeforeEach
    void setUp() throws IOException {
        work = Files.createTempDirectory(TestHost.MARK + "-");
        runtime = new ConmonRuntime(new ConmonRuntime.Config(ConmonRuntime.detectRuntime("crun"),
                ConmonRuntime.detectConmon(), work.resolve("state"), work.resolve("crun-root"), Duration.ofSeconds(30)),
                new JdkProcessRunner());
        podCgroup = "/" + TestHost.uniqueName("pod");
        cgroups.create(podCgroup);
        id = TestHost.uniqueName("exec");
        Path bundle = TestHost.busyboxBundle(work.resolve(id), podCgroup + "/" + id, "/bin/sleep", "1000");
        runtime.create(new CreateRequest(id, bundle, work.resolve("logs").resolve(id + ".log"), false));
        runtime.start(id);
    }

    @AfterEach
    void tearDown() throws IOException {
        runtime.delete(id, true);
        cgroups.remove(podCgroup);
        TestHost.assertNoLeftovers(work.resolve("crun-root"));
        assertThat(work.resolve("state/containers").resolve(id)).as("exec process files removed").doesNotExist();
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void execReturnsExitCodeAndBothStreams() {
        var result = runtime.exec(id, List.of("sh", "-c", "echo out; echo err >&2; exit 3"), LONG);

        assertThat(result.timedOut()).isFalse();
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stdout()).isEqualTo("out\n");
        assertThat(result.stderr()).contains("err");
    }

    @Test
    void execRunsWithTheContainersEnvironmentAndArgvIsNeverParsedAsFlags() {
        // "-c" and "--help" after the id would be crun options if argv were passed on its command line.
        var env = runtime.exec(id, List.of("sh", "-c", "echo $PATH; pwd"), LONG);
        var flags = runtime.exec(id, List.of("echo", "--help", "-c"), LONG);
        var again = runtime.exec(id, List.of("echo", "--help", "-c"), LONG); // reuses the process file

        assertThat(env.stdout()).isEqualTo("/bin\n/\n");
        assertThat(flags.exitCode()).isZero();
        assertThat(flags.stdout()).isEqualTo("--help -c\n");
        assertThat(again.stdout()).isEqualTo(flags.stdout());
    }

    @Test
    void commandOutlivingTheTimeoutIsKilledAndReportedAsTimedOut() {
        var result = runtime.exec(id, List.of("sleep", "31"), Duration.ofMillis(500));

        assertThat(result.timedOut()).isTrue();
        var procs = runtime.exec(id, List.of("sh", "-c", "cat /proc/[0-9]*/cmdline"), LONG);
        assertThat(procs.stdout()).as("the listing sees the container's processes").contains("sleep\u00001000");
        assertThat(procs.stdout()).as("the timed-out command was killed").doesNotContain("sleep\u000031");
    }

    @Test
    void execInUnknownContainerFails() {
        assertThatThrownBy(() -> runtime.exec(TestHost.uniqueName("nope"), List.of("true"), LONG))
                .isInstanceOf(OciException.class)
                .hasMessageStartingWith("failed to exec in container");
    }
}
