package dev.peapod.oci;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The few libc calls Peapod makes directly, through the FFM API (java.lang.foreign), so that
 * mounts, rlimits and the conmon launch need no helper process. Functions that report through
 * errno return it (0 on success) instead of throwing: callers build the "failed to VERB OBJECT"
 * message. Constants are the x86_64/aarch64 Linux (glibc) values.
 *
 * <p>Note: downcalls pin a virtual thread's carrier, so nothing here blocks for long; blocking
 * reads go through JDK streams instead (see {@link ConmonLauncher}).
 */
@SuppressWarnings("restricted")
final class Libc {
    static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EBUSY = 16, EINVAL = 22;
    static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8;
    static final long MS_REMOUNT = 32, MS_BIND = 4096, MS_REC = 16384;
    static final int MNT_DETACH = 2;
    static final int O_RDONLY = 0, O_WRONLY = 1, O_CLOEXEC = 0x80000;
    static final int RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));

    private static final MethodHandle MOUNT = errnoCall("mount",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle UMOUNT2 = errnoCall("umount2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle PIPE2 = errnoCall("pipe2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle WAITPID = errnoCall("waitpid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle PIDFD_OPEN = errnoCall("pidfd_open",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle POLL = errnoCall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle GETRLIMIT = errnoCall("getrlimit",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GETEUID = call("geteuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle STRERROR = call("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle SPAWN = call("posix_spawn",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle FA_INIT = call("posix_spawn_file_actions_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DESTROY = call("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DUP2 = call("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_OPEN = call("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_CLOSEFROM = call("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle ATTR_INIT = call("posix_spawnattr_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_DESTROY = call("posix_spawnattr_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_FLAGS = call("posix_spawnattr_setflags",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle ATTR_SIGMASK = call("posix_spawnattr_setsigmask",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ATTR_SIGDEFAULT = call("posix_spawnattr_setsigdefault",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SIGEMPTYSET = call("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SIGFILLSET = call("sigfillset", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    /** glibc: posix_spawnattr_t is 336 bytes, posix_spawn_file_actions_t 80, sigset_t 128; allocate with room. */
    private static final long OPAQUE_BYTES = 1024;

    private Libc() {}

    static MethodHandle call(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LOOKUP.find(name).orElseThrow(
                () -> new OciException("failed to link libc: no symbol " + name)), fd);
    }

    static MethodHandle errnoCall(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LOOKUP.find(name).orElseThrow(
                () -> new OciException("failed to link libc: no symbol " + name)), fd,
                Linker.Option.captureCallState("errno"));
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static MemorySegment cstr(Arena arena, String s) {
        return s == null ? MemorySegment.NULL : arena.allocateFrom(s);
    }

    /** "No such file or directory (errno 2)". */
    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(512).getString(0) + " (errno " + errno + ")";
        } catch (Throwable t) {
            throw linkageFailure("strerror", t);
        }
    }

    /** mount(2); returns errno or 0. */
    static int mount(String source, String target, String fsType, long flags, String data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) MOUNT.invokeExact(state, cstr(arena, source), cstr(arena, target),
                    cstr(arena, fsType), flags, cstr(arena, data));
            return rc == 0 ? 0 : errno(state);
        } catch (Throwable t) {
            throw linkageFailure("mount", t);
        }
    }

    /** umount2(2); returns errno or 0. */
    static int umount2(String target, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) UMOUNT2.invokeExact(state, cstr(arena, target), flags);
            return rc == 0 ? 0 : errno(state);
        } catch (Throwable t) {
            throw linkageFailure("umount2", t);
        }
    }

    static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw linkageFailure("geteuid", t);
        }
    }

    /** getrlimit(2) hard limit; RLIM_INFINITY becomes {@link Long#MAX_VALUE}. */
    static long hardLimit(int resource) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment rlimit = arena.allocate(JAVA_LONG, 2);
            int rc = (int) GETRLIMIT.invokeExact(state, resource, rlimit);
            if (rc != 0) {
                throw new OciException("failed to read rlimit " + resource + ": " + strerror(errno(state)));
            }
            long max = rlimit.getAtIndex(JAVA_LONG, 1);
            return max < 0 ? Long.MAX_VALUE : max;
        } catch (OciException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure("getrlimit", t);
        }
    }

    /** pipe2(O_CLOEXEC): {read, write}. */
    static int[] pipe() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int rc = (int) PIPE2.invokeExact(state, fds, O_CLOEXEC);
            if (rc != 0) {
                throw new OciException("failed to create pipe: " + strerror(errno(state)));
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (OciException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure("pipe2", t);
        }
    }

    static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw linkageFailure("close", t);
        }
    }

    /**
     * waitpid(pid, 0) for a child we spawned; returns its exit code, or 128+signal. The children
     * waited for here (conmon's first process) exit within a millisecond, so pinning is brief.
     */
    static int waitpid(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment status = arena.allocate(JAVA_INT);
            while (true) {
                int rc = (int) WAITPID.invokeExact(state, pid, status, 0);
                if (rc == pid) {
                    int s = status.get(JAVA_INT, 0);
                    return (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f);
                }
                if (errno(state) != EINTR) {
                    throw new OciException("failed to wait for pid " + pid + ": " + strerror(errno(state)));
                }
            }
        } catch (OciException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure("waitpid", t);
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for any process (child or not) to exit, via a pidfd
     * (Linux 5.3+): exact, no polling loop. Returns true if it has exited (or never existed).
     */
    static boolean awaitExit(int pid, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int pidfd = (int) PIDFD_OPEN.invokeExact(state, pid, 0);
            if (pidfd < 0) {
                if (errno(state) == ESRCH) {
                    return true;
                }
                throw new OciException("failed to watch pid " + pid + ": " + strerror(errno(state)));
            }
            try {
                MemorySegment pollfd = arena.allocate(8);
                pollfd.set(JAVA_INT, 0, pidfd);
                pollfd.set(JAVA_SHORT, 4, (short) 1); // POLLIN: the process has exited
                int rc = (int) POLL.invokeExact(state, pollfd, 1L, timeoutMillis);
                return rc > 0;
            } finally {
                close(pidfd);
            }
        } catch (OciException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure("pidfd_open", t);
        }
    }

    /**
     * posix_spawn(3) with stdin and stdout on /dev/null, {@code stderrFd} as fd 2,
     * {@code extraFd} as fd 3 and every other descriptor closed (closefrom, glibc 2.34+) so that
     * no JVM descriptor leaks into a long-lived daemon. The child starts in a new session with
     * default signal dispositions and an empty signal mask. Returns the pid.
     */
    static int spawn(String path, List<String> argv, List<String> env, int stderrFd, int extraFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(OPAQUE_BYTES, 16);
            MemorySegment attr = arena.allocate(OPAQUE_BYTES, 16);
            MemorySegment sigset = arena.allocate(OPAQUE_BYTES, 16);
            check("posix_spawn_file_actions_init", (int) FA_INIT.invokeExact(actions));
            check("posix_spawnattr_init", (int) ATTR_INIT.invokeExact(attr));
            try {
                MemorySegment devNull = arena.allocateFrom("/dev/null");
                check("addopen", (int) FA_OPEN.invokeExact(actions, 0, devNull, O_RDONLY, 0));
                check("addopen", (int) FA_OPEN.invokeExact(actions, 1, devNull, O_WRONLY, 0));
                check("adddup2", (int) FA_DUP2.invokeExact(actions, stderrFd, 2));
                check("adddup2", (int) FA_DUP2.invokeExact(actions, extraFd, 3));
                check("addclosefrom_np", (int) FA_CLOSEFROM.invokeExact(actions, 4));
                check("sigemptyset", (int) SIGEMPTYSET.invokeExact(sigset));
                check("setsigmask", (int) ATTR_SIGMASK.invokeExact(attr, sigset));
                check("sigfillset", (int) SIGFILLSET.invokeExact(sigset));
                check("setsigdefault", (int) ATTR_SIGDEFAULT.invokeExact(attr, sigset));
                short flags = (short) (POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
                check("setflags", (int) ATTR_FLAGS.invokeExact(attr, flags));
                MemorySegment pid = arena.allocate(JAVA_INT);
                int rc = (int) SPAWN.invokeExact(pid, arena.allocateFrom(path), actions, attr,
                        cstrArray(arena, argv), cstrArray(arena, env));
                if (rc != 0) {
                    throw new OciException("failed to spawn " + path + ": " + strerror(rc));
                }
                return pid.get(JAVA_INT, 0);
            } finally {
                int a = (int) FA_DESTROY.invokeExact(actions);
                int b = (int) ATTR_DESTROY.invokeExact(attr);
            }
        } catch (OciException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure("posix_spawn", t);
        }
    }

    private static void check(String what, int rc) {
        if (rc != 0) {
            throw new OciException("failed to prepare spawn (" + what + "): " + strerror(rc));
        }
    }

    private static MemorySegment cstrArray(Arena arena, List<String> strings) {
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, strings.size() + 1L);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(strings.get(i)));
        }
        array.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }

    static OciException linkageFailure(String function, Throwable t) {
        return new OciException("failed to call libc " + function + ": " + t, t);
    }
}
