package dev.peapod.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * conmon's attach socket: the packet format as a pure function, conmon's flags for Kubernetes'
 * stdin/stdinOnce/tty, and real crun + conmon containers attached to (root; nothing left behind).
 */
class ConmonAttachTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final JdkProcessRunner runner = new JdkProcessRunner();
    private final HostCgroups cgroups = new HostCgroups();
    private final List<String> ids = new ArrayList<>();
    private Path work;
    private ConmonRuntime runtime;
    private String podCgroup;

    @Test
    void aPacketsFirstByteNamesThePipe() {
        byte[] buf = {2, 'h', 'i', 9, 9};
        assertThat(ConmonAttach.parse(buf, 3)).satisfies(p -> {
            assertThat(p.pipe()).isEqualTo(ConmonAttach.STDOUT_PIPE);
            assertThat(new String(p.data(), StandardCharsets.UTF_8)).isEqualTo("hi");
        });
        assertThat(ConmonAttach.parse(new byte[]{3}, 1)).satisfies(p -> {
            assertThat(p.pipe()).isEqualTo(ConmonAttach.STDERR_PIPE);
            assertThat(p.data()).isEmpty();
        });
        assertThat(ConmonAttach.parse(new byte[8], 0)).isNull();
    }

    @Test
    void conmonFlagsFollowStdinStdinOnceAndTty() {
        Path b = work.resolve("b"), log = work.resolve("l.log");
        assertThat(runtime.conmonArgs(new CreateRequest("c1", b, log, false), b))
                .doesNotContain("-i", "--leave-stdin-open", "-t");
        assertThat(runtime.conmonArgs(new CreateRequest("c2", b, log, true, false, false), b))
                .contains("-i", "--leave-stdin-open").doesNotContain("-t");
        assertThat(runtime.conmonArgs(new CreateRequest("c3", b, log, true, true, false), b))
                .contains("-i").doesNotContain("--leave-stdin-open", "-t");
        assertThat(runtime.conmonArgs(new CreateRequest("c4", b, log, false, false, true), b))
                .contains("-t").doesNotContain("-i");
    }

    @BeforeEach
    void setUp() throws IOException {
        work = Files.createTempDirectory(TestHost.MARK + "-");
        runtime = new ConmonRuntime(new ConmonRuntime.Config(ConmonRuntime.detectRuntime("crun"),
                ConmonRuntime.detectConmon(), work.resolve("state"), work.resolve("crun-root"), Duration.ofSeconds(30)),
                runner);
        podCgroup = "/" + TestHost.uniqueName("pod");
    }

    @AfterEach
    void tearDown() throws IOException {
        for (String id : ids) {
            runtime.delete(id, true);
        }
        if (!ids.isEmpty()) {
            cgroups.remove(podCgroup);
            TestHost.assertNoLeftovers(work.resolve("crun-root"));
        }
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private CreateRequest container(String name, boolean stdin, boolean stdinOnce, boolean tty, String... args) throws IOException {
        if (ids.isEmpty()) {
            TestHost.ensureReady();
            cgroups.create(podCgroup);
        }
        String id = TestHost.uniqueName(name);
        ids.add(id);
        Path bundle = TestHost.busyboxBundle(work.resolve(id), podCgroup + "/" + id, args);
        if (tty) {
            Path config = bundle.resolve("config.json");
            Files.writeString(config, Files.readString(config).replace("\"terminal\": false", "\"terminal\": true")
                    .replace("\"ro\"]}],", "\"ro\"]}, " + """
                            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
                             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]}],"""));
        }
        return new CreateRequest(id, bundle, work.resolve("logs").resolve(id + ".log"), stdin, stdinOnce, tty);
    }

    /** Reads packets until their bytes of {@code pipe} contain {@code text}. */
    private static String readUntil(ConmonAttach attach, int pipe, String text) throws IOException {
        var seen = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!seen.toString(StandardCharsets.UTF_8).contains(text)) {
            assertThat(System.nanoTime()).as("waiting for %s, saw %s", text, seen).isLessThan(deadline);
            ConmonAttach.Packet p = attach.read();
            assertThat(p).as("connection ended before %s, saw %s", text, seen).isNotNull();
            if (p.pipe() == pipe) seen.writeBytes(p.data());
        }
        return seen.toString(StandardCharsets.UTF_8);
    }

    private static void send(ConmonAttach attach, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        attach.write(b, 0, b.length);
    }

    @Test
    void stdinReachesTheContainerAndItsOutputComesBackAndIsLogged() throws IOException {
        CreateRequest req = container("cat", true, false, false, "/bin/sh", "-c", "cat; echo stdin-closed");
        var created = runtime.create(req);
        runtime.start(req.id());
        try (var attach = runtime.attach(req.id())) {
            send(attach, "hello\n");
            assertThat(readUntil(attach, ConmonAttach.STDOUT_PIPE, "hello\n")).isEqualTo("hello\n");
            attach.closeInput(); // not stdinOnce: conmon leaves the container's stdin open
        }
        try (var again = runtime.attach(req.id())) {
            send(again, "again\n");
            readUntil(again, ConmonAttach.STDOUT_PIPE, "again\n");
        }
        assertThat(Files.readString(req.logPath())).contains("stdout F hello", "stdout F again");
        assertThat(runtime.exitCode(req.id())).isEmpty();
        assertThat(TestHost.isGone(created.conmonPid())).isFalse();
    }

    @Test
    void stdinOnceClosesStdinWhenTheFirstAttachEnds() throws IOException {
        CreateRequest req = container("once", true, true, false, "/bin/sh", "-c", "cat; echo stdin-closed >&2");
        var created = runtime.create(req);
        runtime.start(req.id());
        try (var attach = runtime.attach(req.id())) {
            send(attach, "one\n");
            readUntil(attach, ConmonAttach.STDOUT_PIPE, "one\n");
            attach.closeInput();
            readUntil(attach, ConmonAttach.STDERR_PIPE, "stdin-closed");
            assertThat(TestHost.awaitExit(created.conmonPid(), WAIT)).isTrue();
            ConmonAttach.Packet rest;
            while ((rest = attach.read()) != null) assertThat(rest.data()).isNotNull();
        }
        assertThat(runtime.exitCode(req.id())).hasValue(0);
    }

    @Test
    void aTerminalEchoesInputAndTakesItsSizeFromTheCtlFifo() throws IOException {
        CreateRequest req = container("tty", true, false, true, "/bin/sh");
        Path stty = req.bundle().resolve("rootfs/bin/stty");
        Files.createSymbolicLink(stty, Path.of("busybox"));
        runtime.create(req);
        runtime.start(req.id());
        try (var attach = runtime.attach(req.id())) {
            attach.resize(91, 37);
            send(attach, "stty size; echo mark-$((6*7))\n");
            String out = readUntil(attach, ConmonAttach.STDOUT_PIPE, "mark-42");
            assertThat(out).contains("37 91");
        }
        assertThat(Files.readString(req.logPath())).contains("mark-42");
    }
}
