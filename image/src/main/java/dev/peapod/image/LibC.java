package dev.peapod.image;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * The few libc calls java.nio cannot make, through the FFM API: device nodes and FIFOs
 * ({@code mknod}), ownership of symlinks ({@code lchown}), set-id and sticky mode bits
 * ({@code chmod}), times of links and FIFOs ({@code utimensat}) and extended attributes on the
 * link itself ({@code l*xattr}). Linux x86_64 and
 * aarch64 ABI: mode_t, uid_t and gid_t are 32 bits, dev_t and size_t 64 bits.
 */
@SuppressWarnings("restricted") // FFM downcalls are this class's purpose; surefire runs with --enable-native-access
final class LibC {
    static final int S_IFCHR = 0020000;
    static final int S_IFIFO = 0010000;
    private static final int ENODATA = 61;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));

    private static final MethodHandle MKNOD = errnoCall("mknod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
    private static final MethodHandle LCHOWN = errnoCall("lchown", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle CHMOD = errnoCall("chmod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LSETXATTR = errnoCall("lsetxattr",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle LGETXATTR = errnoCall("lgetxattr",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle UTIMENSAT = errnoCall("utimensat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private LibC() {}

    private static MethodHandle errnoCall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"));
    }

    /** glibc's {@code makedev}. */
    static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    static void mknod(Path path, int mode, long dev) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) MKNOD.invokeExact(state, arena.allocateFrom(path.toString()), mode, dev);
            check(rc, state, "mknod", path);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void lchown(Path path, int uid, int gid) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) LCHOWN.invokeExact(state, arena.allocateFrom(path.toString()), uid, gid);
            check(rc, state, "lchown", path);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Follows symlinks, as chmod(2) does: never call it on a symlink. */
    static void chmod(Path path, int mode) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) CHMOD.invokeExact(state, arena.allocateFrom(path.toString()), mode);
            check(rc, state, "chmod", path);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Sets access and modification time without following a symlink and without opening the
     * file: java.nio opens it for futimens, which blocks forever on a FIFO.
     */
    static void lutimes(Path path, FileTime time) throws IOException {
        java.time.Instant instant = time.toInstant();
        long seconds = instant.getEpochSecond();
        long nanos = instant.getNano();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment times = arena.allocateFrom(JAVA_LONG, seconds, nanos, seconds, nanos);
            int rc = (int) UTIMENSAT.invokeExact(state, AT_FDCWD, arena.allocateFrom(path.toString()), times,
                    AT_SYMLINK_NOFOLLOW);
            check(rc, state, "utimensat", path);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void lsetxattr(Path path, String name, byte[] value) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment buf = arena.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, buf, ValueLayout.JAVA_BYTE, 0, value.length);
            int rc = (int) LSETXATTR.invokeExact(state, arena.allocateFrom(path.toString()),
                    arena.allocateFrom(name), buf, (long) value.length, 0);
            check(rc, state, "lsetxattr " + name, path);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The attribute's value, or null when the file does not have it. */
    static byte[] lgetxattr(Path path, String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment buf = arena.allocate(65536);
            long n = (long) LGETXATTR.invokeExact(state, arena.allocateFrom(path.toString()),
                    arena.allocateFrom(name), buf, buf.byteSize());
            if (n < 0 && (int) ERRNO.get(state, 0L) == ENODATA) {
                return null;
            }
            check((int) Math.min(n, 0), state, "lgetxattr " + name, path);
            return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void check(int rc, MemorySegment state, String call, Path path) throws IOException {
        if (rc >= 0) {
            return;
        }
        int errno = (int) ERRNO.get(state, 0L);
        throw new IOException(call + " " + path + ": " + strerror(errno) + " (errno " + errno + ")");
    }

    private static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "error";
        }
    }
}
