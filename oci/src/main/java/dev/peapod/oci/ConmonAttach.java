package dev.peapod.oci;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One client of conmon's attach socket ({@code kubectl attach}): an AF_UNIX SOCK_SEQPACKET
 * socket conmon listens on in the container's bundle directory (reached through
 * {@code <socket-dir>/<id>}, the symlink conmon makes to the bundle). conmon's protocol
 * (conmon src/conn_sock.c and src/ctr_stdio.c, what podman's and CRI-O's attach read):
 * <ul>
 *   <li>from conmon: one packet per read of the container's stdout or stderr (or its terminal),
 *       whose first byte names the pipe ({@link #STDOUT_PIPE}, {@link #STDERR_PIPE}), the rest
 *       the bytes read; conmon writes the same bytes to the log first, so logs go on while
 *       attached. conmon closes the connection when it exits after the container;</li>
 *   <li>to conmon: raw bytes, written to the container's stdin (or terminal) if it was created
 *       with stdin; a half-close ({@link #closeInput}) or the end of the connection closes the
 *       container's stdin unless conmon runs with {@code --leave-stdin-open} (so without it:
 *       Kubernetes' {@code stdinOnce}).</li>
 * </ul>
 * A terminal's size goes through the bundle's {@code ctl} fifo: a line {@code "1 <height> <width>"}
 * (conmon src/ctrl.c, message type 1 = window resize).
 *
 * <p>Blocking downcalls: call {@link #read} (from one thread at a time) and {@link #write} from platform threads. Reads poll
 * every 100 ms so that {@link #close} is never held up; the fd is closed only when no call is in
 * flight (as in {@link ConsoleExec}). x86-64/aarch64 Linux layouts.
 */
public final class ConmonAttach implements AutoCloseable {
    /** conmon's stdpipe_t values (src/utils.h): the first byte of each packet it sends. */
    public static final int STDIN_PIPE = 1, STDOUT_PIPE = 2, STDERR_PIPE = 3;
    /** conmon reads the container's pipes 8192 bytes at a time (STDIO_BUF_SIZE), plus the pipe byte; room to spare. */
    private static final int PACKET = 64 * 1024;
    /** What one packet to conmon may carry: it receives up to its buffer (CONN_SOCK_BUF_SIZE) less one. */
    private static final int MAX_WRITE = 8192;

    private static final int AF_UNIX = 1, SOCK_SEQPACKET = 5, SOCK_CLOEXEC = 0x80000;
    private static final int O_PATH = 0x200000, O_WRONLY = 1, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    private static final int SHUT_WR = 1, SHUT_RDWR = 2, MSG_NOSIGNAL = 0x4000, EINTR = 4, EAGAIN = 11;

    private static final MethodHandle SOCKET = Libc.errnoCall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CONNECT = Libc.errnoCall("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle OPEN = Libc.errnoCall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle RECV = Libc.errnoCall("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SEND = Libc.errnoCall("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle WRITE = Libc.errnoCall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle SHUTDOWN = Libc.errnoCall("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    /** One packet from conmon: which pipe, and its bytes. */
    public record Packet(int pipe, byte[] data) {}

    private final int fd;
    private final Path ctl;
    private volatile boolean closed;
    private final ReentrantReadWriteLock io = new ReentrantReadWriteLock();
    /** {@link #read}'s buffer (one reader at a time: the caller's contract), freed by {@link #close}. */
    private final Arena memory = Arena.ofShared();
    private final MemorySegment received = memory.allocate(PACKET);

    private ConmonAttach(int fd, Path ctl) {
        this.fd = fd;
        this.ctl = ctl;
    }

    /**
     * A packet's meaning: the pipe its first byte names and the bytes after it; null for an empty
     * packet (nothing to deliver).
     */
    public static Packet parse(byte[] buf, int length) {
        if (length <= 0) return null;
        byte[] data = new byte[length - 1];
        System.arraycopy(buf, 1, data, 0, data.length);
        return new Packet(buf[0] & 0xff, data);
    }

    /**
     * Connects to {@code dir/attach} ({@code dir} is the bundle, or the symlink to it), and keeps
     * {@code dir/ctl} for resizes. The socket's path may be longer than sun_path's 108 bytes: it
     * is reached through an O_PATH descriptor of {@code dir} ({@code /proc/self/fd/N/attach}), as
     * conmon binds it and podman connects.
     */
    static ConmonAttach connect(Path dir) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            int dirFd = (int) OPEN.invokeExact(state, arena.allocateFrom(dir.toString()), O_PATH | O_CLOEXEC, 0);
            if (dirFd < 0) throw new OciException("failed to attach: " + dir + ": " + Libc.strerror(Libc.errno(state)));
            try {
                int fd = (int) SOCKET.invokeExact(state, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
                if (fd < 0) throw new OciException("failed to attach: socket: " + Libc.strerror(Libc.errno(state)));
                byte[] name = ("/proc/self/fd/" + dirFd + "/attach").getBytes(StandardCharsets.UTF_8);
                MemorySegment addr = arena.allocate(110); // sockaddr_un: sun_family, sun_path[108]
                addr.set(JAVA_SHORT, 0, (short) AF_UNIX);
                MemorySegment.copy(name, 0, addr, JAVA_BYTE, 2, name.length);
                if ((int) CONNECT.invokeExact(state, fd, addr, 110) != 0) {
                    int errno = Libc.errno(state);
                    Libc.close(fd);
                    throw new OciException("failed to attach: " + dir.resolve("attach") + ": " + Libc.strerror(errno));
                }
                return new ConmonAttach(fd, dir.resolve("ctl"));
            } finally {
                Libc.close(dirFd);
            }
        } catch (OciException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.linkageFailure("connect", t);
        }
    }

    /** The next packet; null once conmon has closed the connection (the container has ended) or after {@link #close}. */
    public Packet read() throws IOException {
        while (true) {
            io.readLock().lock();
            try (Arena arena = Arena.ofConfined()) {
                if (closed) return null;
                if (!ConsoleExec.poll(fd, 100)) continue;
                MemorySegment state = arena.allocate(Libc.CAPTURE);
                long n = (long) RECV.invokeExact(state, fd, received, (long) PACKET, 0);
                if (n < 0) {
                    int errno = Libc.errno(state);
                    if (errno == EINTR || errno == EAGAIN) continue;
                    throw new IOException("attach: recv: " + Libc.strerror(errno));
                }
                if (n == 0) return null;
                Packet p = parse(received.asSlice(0, n).toArray(JAVA_BYTE), (int) n);
                if (p != null) return p;
            } catch (IOException e) {
                throw e;
            } catch (Throwable t) {
                throw Libc.linkageFailure("recv", t);
            } finally {
                io.readLock().unlock();
            }
        }
    }

    /** Sends {@code len} bytes to the container's stdin, at most {@link #MAX_WRITE} per packet; blocks while conmon cannot take them. */
    public void write(byte[] b, int off, int len) throws IOException {
        io.readLock().lock();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, Math.min(len, MAX_WRITE)));
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            for (int done = 0; done < len; ) {
                if (closed) throw new IOException("attach: closed");
                int chunk = Math.min(MAX_WRITE, len - done);
                MemorySegment.copy(b, off + done, buf, JAVA_BYTE, 0, chunk);
                long n = (long) SEND.invokeExact(state, fd, buf, (long) chunk, MSG_NOSIGNAL);
                if (n < 0) {
                    if (Libc.errno(state) == EINTR) continue;
                    throw new IOException("attach: send: " + Libc.strerror(Libc.errno(state)));
                }
                done += chunk; // a packet is sent whole
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.linkageFailure("send", t);
        } finally {
            io.readLock().unlock();
        }
    }

    /** No more input: conmon closes the container's stdin unless it leaves stdin open (not stdinOnce). */
    public void closeInput() {
        io.readLock().lock();
        try {
            if (!closed) shutdown(SHUT_WR);
        } finally {
            io.readLock().unlock();
        }
    }

    /**
     * The terminal's new size, through conmon's {@code ctl} fifo. Opened without blocking: if
     * conmon is gone the fifo has no reader and the resize is dropped.
     */
    public void resize(int width, int height) {
        if (closed || width <= 0 || height <= 0) return;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            int ctlFd = (int) OPEN.invokeExact(state, arena.allocateFrom(ctl.toString()), O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);
            if (ctlFd < 0) return;
            try {
                MemorySegment line = arena.allocateFrom("1 " + height + " " + width + "\n");
                long ignored = (long) WRITE.invokeExact(state, ctlFd, line, line.byteSize() - 1);
            } finally {
                Libc.close(ctlFd);
            }
        } catch (Throwable t) {
            throw Libc.linkageFailure("write", t);
        }
    }

    /** Ends this client's connection (the container keeps running). */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        shutdown(SHUT_RDWR); // a send blocked on conmon now fails: the lock comes free
        io.writeLock().lock();
        try {
            Libc.close(fd);
            memory.close();
        } finally {
            io.writeLock().unlock();
        }
    }

    private void shutdown(int how) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            int ignored = (int) SHUTDOWN.invokeExact(state, fd, how);
        } catch (Throwable t) {
            throw Libc.linkageFailure("shutdown", t);
        }
    }
}
