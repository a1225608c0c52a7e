package dev.peapod.network;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The syscalls behind {@link NetnsManager}, through the FFM API so that no {@code ip} process is
 * spawned. Functions return errno (0 on success); callers word the error. Constants are the
 * x86_64/aarch64 Linux (glibc) values.
 *
 * <p>Network namespaces are per thread: {@link #createBound} moves the calling thread into a new
 * namespace and back, so it must run on a platform thread of its own (a virtual thread may change
 * carrier between two downcalls).
 */
@SuppressWarnings("restricted")
final class NetnsSyscalls {
    static final int EINVAL = 22, ENOENT = 2;
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY = 0, O_CLOEXEC = 0x80000;
    private static final long MS_BIND = 4096, MS_REC = 16384, MS_SHARED = 1 << 20;
    static final long SHARED_REC = MS_SHARED | MS_REC, BIND_REC = MS_BIND | MS_REC;
    private static final int MNT_DETACH = 2;
    private static final int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000;
    private static final long SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;
    private static final short IFF_UP = 0x1;
    /** linux/magic.h: the file system of /proc/PID/ns/* and of their bind mounts. */
    static final long NSFS_MAGIC = 0x6e736673L;
    /** struct ifreq: 16 bytes of name, then a 24-byte union whose first member is ifr_flags. */
    private static final int IFREQ_SIZE = 40, IFNAMSIZ = 16;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));

    private static final MethodHandle OPEN = call("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle UNSHARE = call("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETNS = call("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle MOUNT = call("mount",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle UMOUNT2 = call("umount2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle STATFS = call("statfs", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SOCKET = call("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle IOCTL = LINKER.downcallHandle(symbol("ioctl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(symbol("strerror"),
            FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private NetnsSyscalls() {}

    private static MemorySegment symbol(String name) {
        return LOOKUP.find(name).orElseThrow(() -> new NetworkException("failed to link libc: no symbol " + name));
    }

    private static MethodHandle call(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd, Linker.Option.captureCallState("errno"));
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** "Invalid argument (errno 22)". */
    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(512).getString(0) + " (errno " + errno + ")";
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /**
     * On the calling (dedicated platform) thread: unshare a new network namespace, bring its
     * {@code lo} up, bind-mount it onto {@code target} (an existing file), and return to the
     * original namespace. Throws {@link NetworkException}; if the way back fails it throws an
     * {@link Error}, and the thread must end (it is stuck in the new namespace).
     */
    static void createBound(String target) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment self = arena.allocateFrom("/proc/thread-self/ns/net");
            int original = (int) OPEN.invokeExact(state, self, O_RDONLY | O_CLOEXEC);
            if (original < 0) throw fail("open the current network namespace", errno(state));
            try {
                if ((int) UNSHARE.invokeExact(state, CLONE_NEWNET) != 0) {
                    throw fail("create a network namespace", errno(state));
                }
                try {
                    loopbackUp(arena, state);
                    if ((int) MOUNT.invokeExact(state, self, arena.allocateFrom(target), MemorySegment.NULL, MS_BIND,
                            MemorySegment.NULL) != 0) {
                        throw fail("bind the network namespace to " + target, errno(state));
                    }
                } finally {
                    if ((int) SETNS.invokeExact(state, original, CLONE_NEWNET) != 0) {
                        throw new Error("failed to return to the original network namespace: " + strerror(errno(state)));
                    }
                }
            } finally {
                int ignored = (int) CLOSE.invokeExact(state, original);
            }
        } catch (NetworkException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new NetworkException("failed to call libc: " + t, t);
        }
    }

    /** What runs inside another network namespace ({@link #inNamespace}). */
    interface InNamespace<T> {
        T run() throws java.io.IOException;
    }

    /**
     * On the calling (dedicated platform) thread: enter the network namespace at {@code path}
     * (a /proc/PID/ns/net file or a bind mount of one), run {@code action}, and return to the
     * original namespace. Sockets created by the action stay in the namespace they were created in.
     * Throws {@link NetworkException} if the namespace cannot be entered; an {@link Error} if the
     * way back fails (the thread must end).
     */
    static <T> T inNamespace(String path, InNamespace<T> action) throws java.io.IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int original = (int) OPEN.invokeExact(state, arena.allocateFrom("/proc/thread-self/ns/net"), O_RDONLY | O_CLOEXEC);
            if (original < 0) throw fail("open the current network namespace", errno(state));
            try {
                int target = (int) OPEN.invokeExact(state, arena.allocateFrom(path), O_RDONLY | O_CLOEXEC);
                if (target < 0) throw fail("open the network namespace " + path, errno(state));
                try {
                    if ((int) SETNS.invokeExact(state, target, CLONE_NEWNET) != 0) {
                        throw fail("enter the network namespace " + path, errno(state));
                    }
                } finally {
                    int ignored = (int) CLOSE.invokeExact(state, target);
                }
                try {
                    return action.run();
                } finally {
                    if ((int) SETNS.invokeExact(state, original, CLONE_NEWNET) != 0) {
                        throw new Error("failed to return to the original network namespace: " + strerror(errno(state)));
                    }
                }
            } finally {
                int ignored = (int) CLOSE.invokeExact(state, original);
            }
        } catch (Error | java.io.IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new NetworkException("failed to call libc: " + t, t);
        }
    }

    /** SIOCGIFFLAGS, then SIOCSIFFLAGS with IFF_UP, on {@code lo} of the calling thread's namespace. */
    private static void loopbackUp(Arena arena, MemorySegment state) throws Throwable {
        int sock = (int) SOCKET.invokeExact(state, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (sock < 0) throw fail("open a socket in the new network namespace", errno(state));
        try {
            MemorySegment ifreq = arena.allocate(IFREQ_SIZE, 8);
            byte[] name = "lo".getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(name, 0, ifreq, JAVA_BYTE, 0, name.length); // zero-filled: NUL-terminated
            if ((int) IOCTL.invokeExact(state, sock, SIOCGIFFLAGS, ifreq) != 0) {
                throw fail("read the flags of lo", errno(state));
            }
            short flags = ifreq.get(JAVA_SHORT, IFNAMSIZ);
            ifreq.set(JAVA_SHORT, IFNAMSIZ, (short) (flags | IFF_UP));
            if ((int) IOCTL.invokeExact(state, sock, SIOCSIFFLAGS, ifreq) != 0) {
                throw fail("bring lo up", errno(state));
            }
        } finally {
            int ignored = (int) CLOSE.invokeExact(state, sock);
        }
    }

    /** umount2 with MNT_DETACH; returns errno (EINVAL: not a mount point, ENOENT: no such file). */
    static int detach(String target) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) UMOUNT2.invokeExact(state, arena.allocateFrom(target), MNT_DETACH);
            return rc == 0 ? 0 : errno(state);
        } catch (Throwable t) {
            throw new NetworkException("failed to call libc umount2: " + t, t);
        }
    }

    /** mount(2) with flags only (MS_SHARED|MS_REC to change propagation, MS_BIND|MS_REC to bind). */
    static int mount(String source, String target, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment src = source == null ? MemorySegment.NULL : arena.allocateFrom(source);
            int rc = (int) MOUNT.invokeExact(state, src, arena.allocateFrom(target), arena.allocateFrom("none"), flags,
                    MemorySegment.NULL);
            return rc == 0 ? 0 : errno(state);
        } catch (Throwable t) {
            throw new NetworkException("failed to call libc mount: " + t, t);
        }
    }

    /** The f_type of statfs(2) on {@code path}, or -1 when it cannot be read (e.g. the file is gone). */
    static long fsType(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment buf = arena.allocate(256, 8); // struct statfs is 120 bytes; f_type (long) first
            int rc = (int) STATFS.invokeExact(state, arena.allocateFrom(path), buf);
            return rc == 0 ? buf.get(JAVA_LONG, 0) : -1;
        } catch (Throwable t) {
            throw new NetworkException("failed to call libc statfs: " + t, t);
        }
    }

    private static NetworkException fail(String what, int errno) {
        return new NetworkException("failed to " + what + ": " + strerror(errno));
    }
}
