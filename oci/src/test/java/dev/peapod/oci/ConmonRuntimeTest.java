package dev.peapod.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real crun + conmon on this host (root). Every test leaves nothing behind. */
class ConmonRuntimeTest {
    /** conmon's k8s-file line: RFC 3339 time with nanoseconds, stream, F(ull)/P(artial), text. */
    private static final String CRI_LINE =
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{1,9}(Z|[+-]\\d\\d:\\d\\d) (stdout|stderr) [FP] .*";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final JdkProcessRunner runner = new JdkProcessRunner();
    private final HostCgroups cgroups = new HostCgroups();
    private final List<String> ids = new ArrayList<>();
    private Path work;
    private ConmonRuntime runtime;
    private String podCgroup;

    @BeforeAll
    static void host() {
        TestHost.ensureReady();
    }

    @BeforeEach
    void setUp() throws IOException {
        work = Files.createTempDirectory(TestHost.MARK + "-");
        runtime = new ConmonRuntime(new ConmonRuntime.Config(ConmonRuntime.detectRuntime("crun"),
                ConmonRuntime.detectConmon(), work.resolve("state"), work.resolve("crun-root"), Duration.ofSeconds(30)),
                runner);
        podCgroup = "/" + TestHost.uniqueName("pod");
        cgroups.create(podCgroup);
    }

    @AfterEach
    void tearDown() throws IOException {
        for (String id : ids) {
            runtime.delete(id, true);
        }
        cgroups.remove(podCgroup);
        TestHost.assertNoLeftovers(work.resolve("crun-root"));
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private CreateRequest bundle(String name, String... args) throws IOException {
        String id = TestHost.uniqueName(name);
        ids.add(id);
        Path bundle = TestHost.busyboxBundle(work.resolve(id), podCgroup + "/" + id, args);
        return new CreateRequest(id, bundle, work.resolve("logs").resolve(id + ".log"), false);
    }

    @Test
    void containerRunsExitsWithItsCodeAndLogsInCriFormat() throws IOException {
        CreateRequest request = bundle("exit3", "/bin/sh", "-c", "echo hello; echo oops >&2; printf partial; exit 3");

        CreatedContainer created = runtime.create(request);
        assertThat(created.pid()).isPositive();
        assertThat(runtime.state(request.id())).hasValueSatisfying(s -> {
            assertThat(s.status()).isEqualTo("created");
            assertThat(s.pid()).isEqualTo(created.pid());
        });
        assertThat(runtime.exitCode(request.id())).isEmpty();

        runtime.start(request.id());
        assertThat(TestHost.awaitExit(created.conmonPid(), WAIT)).as("conmon exits after the container").isTrue();

        assertThat(runtime.exitCode(request.id())).hasValue(3);
        assertThat(runtime.state(request.id())).hasValueSatisfying(s -> assertThat(s.status()).isEqualTo("stopped"));
        List<String> log = Files.readAllLines(request.logPath());
        assertThat(log).allSatisfy(line -> assertThat(line).matches(CRI_LINE));
        assertThat(log).anySatisfy(line -> assertThat(line).endsWith(" stdout F hello"));
        assertThat(log).anySatisfy(line -> assertThat(line).endsWith(" stderr F oops"));
        assertThat(log).anySatisfy(line -> assertThat(line).endsWith(" stdout P partial")); // no newline: partial

        runtime.delete(request.id(), false);
        assertThat(runtime.state(request.id())).isEmpty();
        assertThat(crunList()).doesNotContain(request.id());
        assertThat(runtime.exitCode(request.id())).isEmpty();
    }

    @Test
    void conmonIsDetachedFromTheJvm() throws IOException {
        CreateRequest request = bundle("detached", "/bin/sleep", "1000");
        CreatedContainer created = runtime.create(request);
        runtime.start(request.id());

        long[] jvm = stat(ProcessHandle.current().pid());
        long[] conmon = stat(created.conmonPid());
        assertThat(conmon[0]).as("parent of conmon").isNotEqualTo(ProcessHandle.current().pid());
        assertThat(conmon[1]).as("process group of conmon").isNotEqualTo(jvm[1]);
        assertThat(conmon[2]).as("session of conmon").isNotEqualTo(jvm[2]);
        assertThat(runtime.conmonPid(request.id())).hasValue(created.conmonPid());
        assertThat(openFiles(created.conmonPid())).as("JVM descriptors leaked into conmon")
                .noneMatch(f -> f.endsWith(".jar") || f.contains("/lib/jvm/") || f.contains("surefire"));
        assertThat(runtime.state(request.id())).hasValueSatisfying(s -> assertThat(s.running()).isTrue());

        runtime.kill(request.id(), "KILL", false);
        assertThat(TestHost.awaitExit(created.conmonPid(), WAIT)).isTrue();
        assertThat(runtime.exitCode(request.id())).hasValue(137);
    }

    /** PID 1 ignores SIGTERM unless it handles it, so the shell traps it and exits 7. */
    @Test
    void killDeliversSigtermAndSigkill() throws IOException {
        CreateRequest trapper = bundle("term", "/bin/sh", "-c", "trap 'exit 7' TERM; sleep 1000 & wait");
        CreateRequest stubborn = bundle("kill", "/bin/sleep", "1000");
        CreatedContainer t = runtime.create(trapper);
        CreatedContainer s = runtime.create(stubborn);
        runtime.start(trapper.id());
        runtime.start(stubborn.id());

        runtime.kill(trapper.id(), "SIGTERM", false);
        runtime.kill(stubborn.id(), "SIGKILL", true);
        assertThat(TestHost.awaitExit(t.conmonPid(), WAIT)).isTrue();
        assertThat(TestHost.awaitExit(s.conmonPid(), WAIT)).isTrue();

        assertThat(runtime.exitCode(trapper.id())).hasValue(7);
        assertThat(runtime.exitCode(stubborn.id())).hasValue(137);
        runtime.kill(stubborn.id(), "SIGKILL", false); // already stopped: a no-op
    }

    @Test
    void forcedDeleteOfARunningContainerLeavesNothing() throws IOException {
        CreateRequest request = bundle("force", "/bin/sleep", "1000");
        CreatedContainer created = runtime.create(request);
        runtime.start(request.id());

        assertThatThrownBy(() -> runtime.delete(request.id(), false))
                .isInstanceOf(OciException.class).hasMessageStartingWith("failed to delete container " + request.id());
        runtime.delete(request.id(), true);

        assertThat(TestHost.isGone(created.conmonPid())).as("conmon exited").isTrue();
        assertThat(crunList()).doesNotContain(request.id());
        assertThat(Files.exists(runtime.exitDir().resolve(request.id()))).isFalse();
    }

    @Test
    void runtimeStderrIsInTheErrorOfABadBundle() throws IOException {
        CreateRequest good = bundle("bad", "/bin/true");
        Files.delete(good.bundle().resolve("config.json"));

        assertThatThrownBy(() -> runtime.create(good))
                .isInstanceOf(OciException.class)
                .hasMessageStartingWith("failed to create container " + good.id() + ": ")
                .hasMessageContaining("config.json");
        assertThat(crunList()).doesNotContain(good.id());
        assertThat(Files.exists(runtime.config().containerDir(good.id()))).isFalse();
        assertThat(Files.exists(runtime.config().socketDir().resolve(good.id()), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void conmonsOwnErrorsReachTheException() throws IOException {
        ConmonRuntime broken = new ConmonRuntime(new ConmonRuntime.Config(work.resolve("no-such-runtime"),
                ConmonRuntime.detectConmon(), work.resolve("state"), work.resolve("crun-root"), Duration.ofSeconds(30)),
                runner);
        CreateRequest request = bundle("noruntime", "/bin/true");
        assertThatThrownBy(() -> broken.create(request))
                .isInstanceOf(OciException.class)
                .hasMessageStartingWith("failed to create container " + request.id() + ": conmon exited with status 1")
                .hasMessageContaining("no-such-runtime");
    }

    /** A runtime that hangs in create: conmon is killed at the deadline and takes the runtime with it. */
    @Test
    void aHangingCreateTimesOutAndLeavesNothing() throws IOException {
        Path hanging = work.resolve("hanging-runtime");
        Files.writeString(hanging, "#!/bin/sh\necho $$ > " + work.resolve("runtime.pid") + "\nexec sleep 1000\n");
        hanging.toFile().setExecutable(true);
        ConmonRuntime slow = new ConmonRuntime(new ConmonRuntime.Config(hanging, ConmonRuntime.detectConmon(),
                work.resolve("state"), work.resolve("crun-root"), Duration.ofMillis(500)), runner);
        CreateRequest request = bundle("hang", "/bin/true");

        assertThatThrownBy(() -> slow.create(request))
                .isInstanceOf(OciException.class).hasMessageContaining("timed out after 500 ms");

        int runtimePid = Integer.parseInt(Files.readString(work.resolve("runtime.pid")).strip());
        assertThat(TestHost.awaitExit(runtimePid, WAIT)).as("the runtime died with conmon (PDEATHSIG)").isTrue();
        assertThat(Files.exists(slow.config().containerDir(request.id()))).isFalse();
    }

    @Test
    void unknownContainersAreNoOpsExceptStart() {
        String id = TestHost.uniqueName("unknown");
        assertThat(runtime.state(id)).isEmpty();
        assertThat(runtime.exitCode(id)).isEmpty();
        runtime.kill(id, "KILL", true);
        runtime.delete(id, true);
        assertThatThrownBy(() -> runtime.start(id))
                .isInstanceOf(OciException.class).hasMessageStartingWith("failed to start container " + id + ": ");
    }

    @Test
    void rejectsIdsThatAreNotSafeFileNames() {
        assertThatThrownBy(() -> runtime.state("../etc")).isInstanceOf(OciException.class);
        assertThatThrownBy(() -> runtime.exitCode("a/b")).isInstanceOf(OciException.class);
    }

    /** Not a timing assertion: prints the cost of one container through conmon for the report. */
    @Test
    void measuresCreateStartExit() throws IOException {
        int warmup = 5;
        int runs = 20;
        long first = 0;
        long total = 0;
        long createTotal = 0;
        for (int i = 0; i < warmup + runs; i++) {
            CreateRequest request = bundle("cost", "/bin/true");
            long t0 = System.nanoTime();
            CreatedContainer created = runtime.create(request);
            long t1 = System.nanoTime();
            runtime.start(request.id());
            assertThat(TestHost.awaitExit(created.conmonPid(), WAIT)).isTrue();
            long t2 = System.nanoTime();
            assertThat(runtime.exitCode(request.id())).hasValue(0);
            runtime.delete(request.id(), false);
            if (i == 0) {
                first = t2 - t0;
            } else if (i >= warmup) {
                total += t2 - t0;
                createTotal += t1 - t0;
            }
        }
        System.out.printf("create+start+exit through conmon: %.1f ms (create %.1f ms), mean of %d after %d warm-up;"
                + " first (cold JVM) %.1f ms%n", total / 1e6 / runs, createTotal / 1e6 / runs, runs, warmup, first / 1e6);
    }

    private List<String> crunList() {
        ProcessResult result = runner.run(List.of(runtime.config().runtime().toString(), "--root",
                runtime.config().runtimeRoot().toString(), "list", "-q"), Duration.ofSeconds(10));
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        return result.stdout().lines().toList();
    }

    private static List<String> openFiles(long pid) throws IOException {
        List<String> targets = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                targets.add(Files.readSymbolicLink(fd).toString());
            }
        }
        return targets;
    }

    /** {ppid, pgrp, session} from /proc/<pid>/stat (fields 4-6, after the parenthesised name). */
    private static long[] stat(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])};
    }
}
