package dev.peapod.oci;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code <runtime> exec --tty}: the command runs on a new pseudo-terminal whose master end the
 * runtime hands over through a console socket (the OCI runtime spec's {@code --console-socket}:
 * an AF_UNIX stream socket, the master fd sent with SCM_RIGHTS, as conmon receives it). The
 * master is read and written here with read(2)/write(2), polled every 100 ms so that a reader
 * never blocks past the command's end; call these from platform threads (downcalls pin a
 * virtual thread's carrier). x86-64/aarch64 Linux struct layouts.
 */
public final class ConsoleExec implements AutoCloseable {
    private static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000, SOL_SOCKET = 1, SCM_RIGHTS = 1;
    private static final short POLLIN = 1, POLLHUP = 0x10, POLLERR = 8;
    private static final long TIOCSWINSZ = 0x5414;
    private static final int EIO = 5, EAGAIN = 11, MSG_CMSG_CLOEXEC = 0x40000000;
    private static final java.lang.foreign.ValueLayout.OfByte JAVA_BYTE_LAYOUT = java.lang.foreign.ValueLayout.JAVA_BYTE;

    private static final MethodHandle SOCKET = Libc.errnoCall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = Libc.errnoCall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = Libc.errnoCall("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = Libc.errnoCall("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = Libc.errnoCall("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle POLL = Libc.errnoCall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle READ = Libc.errnoCall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = Libc.errnoCall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle IOCTL = Libc.errnoCall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));

    private final Process runtime;
    private final int master;
    private volatile boolean closed;
    /**
     * Reads, writes and polls of {@link #master} hold the read lock, {@link #close} the write lock:
     * the fd is never closed under an operation in flight, which could otherwise meet an unrelated
     * file that reused its number.
     */
    private final java.util.concurrent.locks.ReentrantReadWriteLock io = new java.util.concurrent.locks.ReentrantReadWriteLock();

    private ConsoleExec(Process runtime, int master) {
        this.runtime = runtime;
        this.master = master;
    }

    /**
     * Starts {@code command} (a runtime {@code exec --tty --console-socket SOCKET …}, where
     * SOCKET is {@code socket}) and waits up to 10 s for the runtime to send the terminal's master.
     */
    static ConsoleExec start(ProcessBuilder command, Path socket) {
        int listener = listen(socket);
        Process p = null;
        try {
            p = command.start();
            int conn = -1;
            for (int i = 0; i < 100 && conn < 0; i++) {
                if (poll(listener, 100)) conn = accept(listener);
                else if (!p.isAlive()) break;
            }
            if (conn < 0) {
                String err = p.isAlive() ? "" : new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                p.destroyForcibly();
                throw new OciException("failed to exec with a terminal: the runtime sent no console" + (err.isEmpty() ? "" : ": " + err));
            }
            try {
                return new ConsoleExec(p, receiveFd(conn));
            } finally {
                Libc.close(conn);
            }
        } catch (IOException e) {
            if (p != null) p.destroyForcibly();
            throw new OciException("failed to exec with a terminal: " + e.getMessage(), e);
        } finally {
            Libc.close(listener);
            try {
                Files.deleteIfExists(socket);
            } catch (IOException ignored) {
                // in the container's state directory, removed with it
            }
        }
    }

    /** The runtime process: it exits with the command's exit code. */
    public Process process() { return runtime; }

    /** What the command writes to its terminal (stdout and stderr both); ends when the command has ended. */
    public InputStream output() {
        return new InputStream() {
            @Override public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override public int read(byte[] b, int off, int len) throws IOException {
                while (true) {
                    io.readLock().lock();
                    try {
                        if (closed) return -1;
                        if (poll(master, 100)) {
                            int n = ConsoleExec.this.read(b, off, len);
                            if (n != 0) return n;
                        } else if (!runtime.isAlive()) {
                            return -1; // ended and drained (a background child may still hold the terminal)
                        }
                    } finally {
                        io.readLock().unlock();
                    }
                }
            }
        };
    }

    /** The command's terminal input. */
    public OutputStream input() {
        return new OutputStream() {
            @Override public void write(int b) throws IOException { write(new byte[]{(byte) b}, 0, 1); }

            @Override public void write(byte[] b, int off, int len) throws IOException {
                io.readLock().lock();
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment buf = arena.allocate(Math.max(1, len));
                    MemorySegment.copy(b, off, buf, JAVA_BYTE_LAYOUT, 0, len);
                    MemorySegment state = arena.allocate(Libc.CAPTURE);
                    long done = 0;
                    while (done < len && !closed) {
                        long n = (long) WRITE.invokeExact(state, master, buf.asSlice(done), (long) (len - done));
                        if (n < 0) {
                            if (Libc.errno(state) == EAGAIN) continue;
                            throw new IOException("write to terminal: " + Libc.strerror(Libc.errno(state)));
                        }
                        done += n;
                    }
                } catch (IOException e) {
                    throw e;
                } catch (Throwable t) {
                    throw Libc.linkageFailure("write", t);
                } finally {
                    io.readLock().unlock();
                }
            }
        };
    }

    /** The terminal's size (TIOCSWINSZ): the command gets SIGWINCH. */
    public void resize(int width, int height) {
        io.readLock().lock();
        try (Arena arena = Arena.ofConfined()) {
            if (closed) return;
            MemorySegment ws = arena.allocate(8);
            ws.set(JAVA_SHORT, 0, (short) height);
            ws.set(JAVA_SHORT, 2, (short) width);
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            int ignored = (int) IOCTL.invokeExact(state, master, TIOCSWINSZ, ws);
        } catch (Throwable t) {
            throw Libc.linkageFailure("ioctl", t);
        } finally {
            io.readLock().unlock();
        }
    }

    /** Kills the runtime (and so the command) if it still runs, and closes the master. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        runtime.descendants().forEach(ProcessHandle::destroyForcibly);
        runtime.destroyForcibly(); // a write blocked on a full terminal now fails: the lock comes free
        io.writeLock().lock();
        try {
            Libc.close(master);
        } finally {
            io.writeLock().unlock();
        }
    }

    private int read(byte[] b, int off, int len) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, len));
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            long n = (long) READ.invokeExact(state, master, buf, (long) len);
            if (n < 0) {
                int errno = Libc.errno(state);
                if (errno == EIO) return -1; // every slave end is closed: the command has ended
                if (errno == EAGAIN) return 0;
                throw new IOException("read from terminal: " + Libc.strerror(errno));
            }
            if (n == 0) return -1;
            MemorySegment.copy(buf, JAVA_BYTE_LAYOUT, 0, b, off, (int) n);
            return (int) n;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.linkageFailure("read", t);
        }
    }

    private static int listen(Path path) {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= 108) throw new OciException("console socket path too long: " + path);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            int fd = (int) SOCKET.invokeExact(state, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0) throw new OciException("console socket: " + Libc.strerror(Libc.errno(state)));
            MemorySegment addr = arena.allocate(110); // sockaddr_un: sun_family, sun_path[108]
            addr.set(JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(name, 0, addr, JAVA_BYTE_LAYOUT, 2, name.length);
            if ((int) BIND.invokeExact(state, fd, addr, 110) != 0 || (int) LISTEN.invokeExact(state, fd, 1) != 0) {
                int errno = Libc.errno(state);
                Libc.close(fd);
                throw new OciException("console socket " + path + ": " + Libc.strerror(errno));
            }
            return fd;
        } catch (OciException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.linkageFailure("socket", t);
        }
    }

    /** Whether {@code fd} became readable (or hung up) within {@code millis}. */
    static boolean poll(int fd, int millis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            MemorySegment pollfd = arena.allocate(8);
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, POLLIN);
            int rc = (int) POLL.invokeExact(state, pollfd, 1L, millis);
            return rc > 0 && (pollfd.get(JAVA_SHORT, 6) & (POLLIN | POLLHUP | POLLERR)) != 0;
        } catch (Throwable t) {
            throw Libc.linkageFailure("poll", t);
        }
    }

    private static int accept(int listener) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            int fd = (int) ACCEPT4.invokeExact(state, listener, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
            return fd;
        } catch (Throwable t) {
            throw Libc.linkageFailure("accept4", t);
        }
    }

    /** recvmsg with room for one SCM_RIGHTS descriptor; the message's bytes (the terminal's name) are dropped. */
    private static int receiveFd(int conn) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            MemorySegment data = arena.allocate(4096);
            MemorySegment iov = arena.allocate(16); // iovec: base, len
            iov.set(ADDRESS, 0, data);
            iov.set(JAVA_LONG, 8, data.byteSize());
            MemorySegment control = arena.allocate(64); // CMSG_SPACE(sizeof(int)) = 24, with room
            MemorySegment msg = arena.allocate(56); // msghdr
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1L);
            msg.set(ADDRESS, 32, control);
            msg.set(JAVA_LONG, 40, control.byteSize());
            long n = (long) RECVMSG.invokeExact(state, conn, msg, MSG_CMSG_CLOEXEC);
            if (n < 0) throw new OciException("console socket: recvmsg: " + Libc.strerror(Libc.errno(state)));
            long controlLen = msg.get(JAVA_LONG, 40);
            if (controlLen < 20 || control.get(JAVA_INT, 8) != SOL_SOCKET || control.get(JAVA_INT, 12) != SCM_RIGHTS) {
                throw new OciException("console socket: the runtime sent no descriptor");
            }
            return control.get(JAVA_INT, 16);
        } catch (OciException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.linkageFailure("recvmsg", t);
        }
    }
}
