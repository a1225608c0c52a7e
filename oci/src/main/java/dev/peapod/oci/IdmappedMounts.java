package dev.peapod.oci;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Idmapped bind mounts (Linux 5.12+, mount_setattr(2) {@code MOUNT_ATTR_IDMAP}): a mount whose
 * files appear with their owners shifted through a user namespace's mapping — on-disk uid
 * {@code n} shows as host uid {@code hostId + n}. Peapod idmaps the image layers of a
 * {@code hostUsers: false} pod, so the container's root (host uid {@code hostId}) owns the
 * image's root-owned files without a chown of the shared layers (what containerd does with
 * idmapped overlay lowers).
 *
 * <p>mount_setattr needs a user namespace file descriptor carrying the mapping. The JVM is
 * multi-threaded and cannot unshare(CLONE_NEWUSER) itself, so a short-lived {@code unshare -U}
 * process provides the namespace: its maps are written from here (root may write any mapping),
 * its {@code /proc/PID/ns/user} is opened, and it is killed once the mounts exist (they keep the
 * namespace alive). Calls: open_tree(OPEN_TREE_CLONE), mount_setattr, move_mount (glibc 2.36).
 */
@SuppressWarnings("restricted")
final class IdmappedMounts {
    private IdmappedMounts() {}

    private static final int AT_FDCWD = -100, AT_EMPTY_PATH = 0x1000, AT_RECURSIVE = 0x8000;
    private static final int OPEN_TREE_CLONE = 1, OPEN_TREE_CLOEXEC = 0x80000, MOVE_MOUNT_F_EMPTY_PATH = 4;
    private static final long MOUNT_ATTR_IDMAP = 0x00100000L;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));

    private static MethodHandle call(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LOOKUP.find(name).orElseThrow(
                () -> new OciException("failed to link libc: no symbol " + name + " (glibc 2.36+ needed)")), fd,
                Linker.Option.captureCallState("errno"));
    }

    private static final class Handles {
        static final MethodHandle OPEN = call("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        static final MethodHandle OPEN_TREE = call("open_tree", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle MOUNT_SETATTR = call("mount_setattr",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
        static final MethodHandle MOVE_MOUNT = call("move_mount",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    }

    /** Bind-mounts each source at the target of the same index, idmapped 0..size to hostId..hostId+size. */
    static void bind(List<Path> sources, List<Path> targets, long hostId, long size) {
        if (sources.size() != targets.size()) throw new IllegalArgumentException("sources and targets differ in length");
        Process holder = null;
        int nsFd = -1;
        try {
            holder = new ProcessBuilder("unshare", "--user", "sleep", "infinity").redirectErrorStream(true).start();
            Path ns = awaitOwnUserNamespace(holder);
            String map = "0 " + hostId + " " + size + "\n";
            Files.writeString(Path.of("/proc", Long.toString(holder.pid()), "uid_map"), map);
            Files.writeString(Path.of("/proc", Long.toString(holder.pid()), "gid_map"), map);
            nsFd = open(ns.toString());
            for (int i = 0; i < sources.size(); i++) bindOne(sources.get(i), targets.get(i), nsFd);
        } catch (IOException e) {
            throw new OciException("failed to create a user namespace for idmapped mounts: " + e.getMessage(), e);
        } finally {
            if (nsFd >= 0) close(nsFd);
            if (holder != null) {
                holder.destroyForcibly();
                try {
                    holder.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static Path awaitOwnUserNamespace(Process holder) throws IOException {
        Path own = Files.readSymbolicLink(Path.of("/proc/self/ns/user"));
        Path ns = Path.of("/proc", Long.toString(holder.pid()), "ns", "user");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (!holder.isAlive()) {
                throw new IOException("unshare --user exited: " + new String(holder.getInputStream().readAllBytes()).strip());
            }
            try {
                if (!Files.readSymbolicLink(ns).equals(own)) return ns;
            } catch (IOException e) {
                // not there yet
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        throw new IOException("unshare --user did not create a user namespace within 5 s");
    }

    private static void bindOne(Path source, Path target, int nsFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int tree = (int) Handles.OPEN_TREE.invokeExact(state, AT_FDCWD, arena.allocateFrom(source.toString()),
                    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
            if (tree < 0) throw failure("open_tree", source, target, state);
            try {
                // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd; }
                MemorySegment attr = arena.allocate(JAVA_LONG, 4);
                attr.setAtIndex(JAVA_LONG, 0, MOUNT_ATTR_IDMAP);
                attr.setAtIndex(JAVA_LONG, 3, nsFd);
                int rc = (int) Handles.MOUNT_SETATTR.invokeExact(state, tree, arena.allocateFrom(""),
                        AT_EMPTY_PATH | AT_RECURSIVE, attr, attr.byteSize());
                if (rc != 0) throw failure("mount_setattr", source, target, state);
                rc = (int) Handles.MOVE_MOUNT.invokeExact(state, tree, arena.allocateFrom(""), AT_FDCWD,
                        arena.allocateFrom(target.toString()), MOVE_MOUNT_F_EMPTY_PATH);
                if (rc != 0) throw failure("move_mount", source, target, state);
            } finally {
                close(tree);
            }
        } catch (OciException e) {
            throw e;
        } catch (Throwable t) {
            throw new OciException("failed to link the mount API: " + t, t);
        }
    }

    private static OciException failure(String call, Path source, Path target, MemorySegment state) {
        int errno = (int) ERRNO.get(state, 0L);
        String hint = errno == Libc.EINVAL || errno == 95 /* EOPNOTSUPP */ || errno == 38 /* ENOSYS */
                ? " (idmapped mounts need Linux 5.12+ and a filesystem that supports them)" : "";
        return new OciException("failed to create an idmapped mount of " + source + " at " + target + ": " + call + ": "
                + Libc.strerror(errno) + hint);
    }

    private static int open(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int fd = (int) Handles.OPEN.invokeExact(state, arena.allocateFrom(path), Libc.O_RDONLY | Libc.O_CLOEXEC);
            if (fd < 0) throw new OciException("failed to open " + path + ": " + Libc.strerror((int) ERRNO.get(state, 0L)));
            return fd;
        } catch (OciException e) {
            throw e;
        } catch (Throwable t) {
            throw new OciException("failed to link open: " + t, t);
        }
    }

    private static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) Handles.CLOSE.invokeExact(arena.allocate(CAPTURE), fd);
        } catch (Throwable t) {
            // nothing to do
        }
    }
}
