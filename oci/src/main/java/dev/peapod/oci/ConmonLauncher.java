package dev.peapod.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts one conmon and waits for its report on the sync pipe.
 *
 * <p>conmon ({@code --api-version 1}) reports through the fd named by {@code _OCI_SYNCPIPE}:
 * {@code {"data": <pid>}} once {@code <runtime> create} succeeded, or
 * {@code {"data": -1, "message": "<runtime stderr>"}} when it failed (conmon
 * {@code src/parent_pipe_fd.c}; podman {@code libpod/oci_conmon_linux.go} and cri-o
 * {@code internal/oci/runtime_oci.go} read it the same way). ProcessBuilder cannot hand a child an
 * extra descriptor, so we spawn conmon with posix_spawn(3) through FFM ({@link Libc#spawn}):
 * a real pipe as fd 3, stderr on a second pipe, every other JVM descriptor closed, and a new
 * session from the first instruction. Alternatives measured on the 2-vCPU dev host (mean of 300):
 * ProcessBuilder {@code true} 1.4-1.7 ms, ProcessBuilder {@code sh -c 'exec true'} (needed for an
 * {@code exec 3<>fifo} wrapper) 1.9 ms, ProcessBuilder {@code setsid true} 2.0-2.6 ms, posix_spawn
 * {@code true} 0.6-1.1 ms. Waiting for the pid file instead would mean polling and would lose
 * the runtime's error message. So posix_spawn is both the fastest and the one that keeps crun's
 * stderr.
 *
 * <p>conmon forks: its first process writes the conmon pid file and exits at once; the second
 * calls setsid(2), becomes a subreaper, runs {@code <runtime> create} and monitors the container.
 * POSIX_SPAWN_SETSID makes even the first process leave the JVM's process group, so a Ctrl-C
 * of the JVM (SIGINT to the foreground group) can never reach conmon.
 */
final class ConmonLauncher {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** What conmon reported: the container's init pid and the pid of conmon itself. */
    record Started(int pid, int conmonPid) {}

    private ConmonLauncher() {}

    /**
     * Runs {@code conmon args...}, which must include {@code -P conmonPidFile}; returns once the
     * container is created. On timeout conmon is killed (its runtime child dies with it through
     * PDEATHSIG) and the caller must roll back with {@code delete --force}.
     */
    static Started launch(Path conmon, List<String> args, String id, Path conmonPidFile, Duration timeout) {
        List<String> argv = new ArrayList<>();
        argv.add(conmon.toString());
        argv.addAll(args);
        int[] err = Libc.pipe();
        int[] sync;
        try {
            sync = Libc.pipe();
        } catch (OciException e) {
            Libc.close(err[0]);
            Libc.close(err[1]);
            throw e;
        }
        InputStream errIn = null;
        InputStream syncIn = null;
        int first;
        try {
            errIn = reopen(err[0]);
            syncIn = reopen(sync[0]);
            first = Libc.spawn(conmon.toString(), argv, List.of("_OCI_SYNCPIPE=3", PATH), err[1], sync[1]);
        } catch (IOException | OciException e) {
            closeQuietly(errIn);
            closeQuietly(syncIn);
            if (errIn == null) {
                Libc.close(sync[0]); // reopen consumed err[0] but never reached sync[0]
            }
            throw e instanceof OciException oci ? oci
                    : new OciException("failed to create container " + id + ": " + e.getMessage(), e);
        } finally {
            // Our copies of the write ends must go, or we would never see EOF.
            Libc.close(err[1]);
            Libc.close(sync[1]);
        }
        return await(first, errIn, syncIn, id, conmonPidFile, timeout);
    }

    private static Started await(int first, InputStream errIn, InputStream syncIn, String id, Path conmonPidFile,
                                 Duration timeout) {
        Watchdog watchdog = new Watchdog(first, timeout);
        try (errIn; syncIn) {
            String firstStderr = new String(errIn.readAllBytes(), StandardCharsets.UTF_8).strip();
            int status = Libc.waitpid(first);
            watchdog.firstReaped();
            if (status != 0) {
                throw new OciException("failed to create container " + id + ": conmon exited with status "
                        + status + (firstStderr.isEmpty() ? "" : ": " + firstStderr));
            }
            int conmonPid = readPid(conmonPidFile, id);
            watchdog.watchConmon(conmonPid);
            int pid = readSync(syncIn, id, watchdog);
            if (!watchdog.finish()) {
                throw timedOut(id, timeout);
            }
            return new Started(pid, conmonPid);
        } catch (IOException e) {
            throw new OciException("failed to create container " + id + ": " + e.getMessage(), e);
        } finally {
            watchdog.finish();
        }
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // nothing was read from it yet
            }
        }
    }

    /**
     * A pipe read end as a JDK stream: reads then go through the JDK's blocking-IO path, which
     * compensates a virtual thread's carrier instead of pinning it as an FFM read(2) would.
     */
    private static InputStream reopen(int fd) throws IOException {
        // Always consumes fd, whether or not the stream could be opened.
        try {
            return new FileInputStream("/proc/self/fd/" + fd);
        } finally {
            Libc.close(fd);
        }
    }

    private static int readSync(InputStream in, String id, Watchdog watchdog) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.write(b);
        }
        if (watchdog.fired()) {
            throw timedOut(id, watchdog.timeout);
        }
        if (line.size() == 0) {
            throw new OciException("failed to create container " + id
                    + ": conmon exited before reporting the container pid");
        }
        JsonNode report = JSON.readTree(line.toByteArray());
        int data = report.path("data").asInt(-1);
        if (data <= 0) {
            String message = report.path("message").asText("runtime create failed").strip();
            throw new OciException("failed to create container " + id + ": " + message);
        }
        return data;
    }

    private static OciException timedOut(String id, Duration timeout) {
        return new OciException("failed to create container " + id + ": runtime create timed out after "
                + timeout.toMillis() + " ms (conmon killed)");
    }

    private static int readPid(Path file, String id) {
        try {
            return Integer.parseInt(Files.readString(file).strip());
        } catch (IOException | NumberFormatException e) {
            throw new OciException("failed to create container " + id + ": no conmon pid file " + file, e);
        }
    }

    /** Kills what we started if the deadline passes; never kills a pid we no longer own. */
    private static final class Watchdog {
        private static final int RUNNING = 0, FIRED = 1, FINISHED = 2;
        private final Duration timeout;
        private final AtomicInteger first;
        private final AtomicInteger conmon = new AtomicInteger(-1);
        private final AtomicInteger state = new AtomicInteger(RUNNING);
        private final Thread thread;

        Watchdog(int firstPid, Duration timeout) {
            this.timeout = timeout;
            this.first = new AtomicInteger(firstPid);
            this.thread = Thread.ofVirtual().name("conmon-watchdog-" + firstPid).start(this::await);
        }

        private void await() {
            try {
                Thread.sleep(timeout);
            } catch (InterruptedException e) {
                return;
            }
            if (state.compareAndSet(RUNNING, FIRED)) {
                kill(first.get());
                kill(conmon.get());
            }
        }

        private static void kill(int pid) {
            if (pid > 0) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }

        /** Once reaped, the first pid may be reused by anyone: forget it. */
        void firstReaped() { first.set(-1); }

        void watchConmon(int pid) { conmon.set(pid); }

        boolean fired() { return state.get() == FIRED; }

        /** Disarms the watchdog; false if it fired first (conmon is dead then). */
        boolean finish() {
            boolean disarmed = state.compareAndSet(RUNNING, FINISHED);
            thread.interrupt();
            return disarmed;
        }
    }
}
