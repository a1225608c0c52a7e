package dev.peapod.apiserver.spdy;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The server end of one SPDY/3.1 connection, as kubelet's streaming server runs it for
 * port-forward and exec (k8s.io/apimachinery util/httpstream/spdy over moby/spdystream): the
 * client opens streams (odd ids) with SYN_STREAM; the {@link Handler} accepts one (SYN_REPLY with no
 * headers, as spdystream's server does) or refuses it (RST_STREAM REFUSED_STREAM). Pings from the
 * client (odd ids) are echoed. Independent of the transport: {@link #run} reads it on the calling
 * thread until it ends.
 *
 * <p>Flow control (section 2.6.8; 3.1 adds the session window on stream 0): this end grants the
 * client more window (WINDOW_UPDATE for the stream and for the session) as stream data is read, so
 * a peer that keeps to the windows never stalls. Its own sending obeys the client's windows only
 * once the client has shown it keeps them (it sent a WINDOW_UPDATE or an initial window in
 * SETTINGS): spdystream, the client of kubectl, does neither and ignores windows, so a sender that
 * waited for updates from it would stop for good after 64 KiB. What bounds memory instead:
 * {@link Stream#write} blocks on the transport, and {@link #run} blocks while a stream has more
 * than {@link #BUFFER} bytes nobody has read (TCP then pushes back on the client).
 *
 * <p>Contract: {@link #run} once, on its own thread; {@link Stream} methods from any thread.
 */
public final class SpdySession {
    /** The byte stream the frames travel on (a TLS socket after an HTTP upgrade, or a WebSocket tunnel). */
    public interface Transport {
        /** Blocks for some bytes; -1 at the end. */
        int read(byte[] buf) throws IOException;

        /** Writes all of {@code bytes}; blocks until done. Called under the session's write lock. */
        void write(byte[] bytes) throws IOException;

        void close();
    }

    /** What the connection carries: called on the reading thread, so it must not block. */
    public interface Handler {
        /**
         * A new stream: return true to accept it, false to refuse it. Its writes wait for the SYN_REPLY,
         * which is sent after this returns, so they must come from another thread.
         */
        boolean opened(Stream stream);

        /** The connection ended (the client went away, GOAWAY, or a protocol error): every stream is gone. */
        void closed();
    }

    static final int DEFAULT_WINDOW = 64 * 1024;
    /** Unread bytes a stream may hold before the reader waits. */
    static final int BUFFER = 256 * 1024;
    /** The largest DATA frame this end sends. */
    static final int MAX_FRAME = 32 * 1024;

    private static final System.Logger LOG = System.getLogger("peapod.spdy");
    private final Transport transport;
    private final Handler handler;
    private final SpdyCodec.Encoder encoder = new SpdyCodec.Encoder();
    private final SpdyCodec.Decoder decoder = new SpdyCodec.Decoder();
    private final ReentrantLock writing = new ReentrantLock();
    private final Map<Integer, Stream> streams = new ConcurrentHashMap<>();
    /** Guards the send windows below and in the streams; signalled when any grows or the session ends. */
    private final ReentrantLock flow = new ReentrantLock();
    private final Condition windowGrew = flow.newCondition();
    private boolean peerFlowControl;
    private long sessionSendWindow = DEFAULT_WINDOW;
    private int initialSendWindow = DEFAULT_WINDOW;
    private long sessionUnacked;
    private volatile int lastStreamId;
    /** GOAWAY's status when the session ends: 0 OK, 1 PROTOCOL_ERROR. */
    private volatile int goAwayStatus;
    private volatile boolean over;
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);

    public SpdySession(Transport transport, Handler handler) {
        this.transport = transport;
        this.handler = handler;
    }

    /** Reads and dispatches frames until the connection ends; then every stream ends and the handler is told. */
    public void run() {
        byte[] buf = new byte[64 * 1024];
        try {
            for (int n; (n = transport.read(buf)) >= 0; ) {
                decoder.feed(buf, 0, n);
                for (SpdyFrame f; (f = nextFrame()) != null; ) dispatch(f);
            }
        } catch (SpdyProtocolException e) {
            LOG.log(System.Logger.Level.DEBUG, "SPDY protocol error: " + e.getMessage());
            goAwayStatus = 1;
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "SPDY session failed: " + e, e);
        } finally {
            close();
            decoder.close(); // here, not in close(): only this thread uses the decoder
        }
    }

    /** The next frame; a stream-level error resets that stream and goes on. */
    private SpdyFrame nextFrame() throws SpdyProtocolException {
        while (true) {
            try {
                return decoder.next();
            } catch (SpdyProtocolException e) {
                if (e.session()) throw e;
                sendQuietly(new SpdyFrame.RstStream(e.streamId(), e.status()));
                Stream s = streams.get(e.streamId());
                if (s != null) s.remoteReset();
            }
        }
    }

    private void dispatch(SpdyFrame frame) throws InterruptedException, SpdyProtocolException {
        switch (frame) {
            case SpdyFrame.SynStream s -> {
                // Section 2.3.2: ids of the client are odd and increase; a reused or lower one is a protocol error.
                if ((s.streamId() & 1) == 0 || s.streamId() <= lastStreamId) {
                    throw new SpdyProtocolException("stream id " + s.streamId() + " after " + lastStreamId);
                }
                lastStreamId = s.streamId();
                var stream = new Stream(s.streamId(), s.headers(), s.fin(), s.unidirectional());
                streams.put(stream.id, stream);
                boolean accepted;
                try {
                    accepted = !over && handler.opened(stream);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "stream handler failed: " + e, e);
                    accepted = false;
                }
                if (accepted) {
                    send(new SpdyFrame.SynReply(stream.id, false, Map.of()));
                    stream.replied.countDown();
                } else {
                    stream.remoteReset();
                    send(new SpdyFrame.RstStream(stream.id, SpdyFrame.REFUSED_STREAM));
                }
            }
            case SpdyFrame.Data d -> {
                Stream s = streams.get(d.streamId());
                if (s == null) {
                    sendQuietly(new SpdyFrame.RstStream(d.streamId(), SpdyFrame.INVALID_STREAM));
                } else if (!s.received(d.data(), d.fin())) {
                    sendQuietly(new SpdyFrame.RstStream(d.streamId(), SpdyFrame.STREAM_ALREADY_CLOSED));
                }
            }
            case SpdyFrame.RstStream r -> {
                Stream s = streams.get(r.streamId());
                if (s != null) s.remoteReset();
            }
            case SpdyFrame.Headers h -> {
                Stream s = streams.get(h.streamId());
                if (s != null && h.fin()) s.received(new byte[0], true);
            }
            case SpdyFrame.Ping p -> {
                if ((p.id() & 1) == 1) send(p); // the client's: echo; ours (even) would be answers, none are sent
            }
            case SpdyFrame.Settings s -> {
                for (var e : s.entries()) {
                    if (e.id() == SpdyFrame.SETTINGS_INITIAL_WINDOW_SIZE) initialWindow(e.value());
                }
            }
            case SpdyFrame.WindowUpdate w -> windowUpdate(w);
            case SpdyFrame.GoAway g -> {
                // no new streams will come; the open ones go on until the client closes the connection
            }
            case SpdyFrame.SynReply r -> sendQuietly(new SpdyFrame.RstStream(r.streamId(), SpdyFrame.PROTOCOL_ERROR)); // we open no streams
        }
    }

    private void initialWindow(int value) {
        flow.lock();
        try {
            peerFlowControl = true;
            int delta = value - initialSendWindow;
            initialSendWindow = value;
            for (Stream s : streams.values()) s.sendWindow += delta; // section 2.6.8: applies to open streams too
            windowGrew.signalAll();
        } finally {
            flow.unlock();
        }
    }

    private void windowUpdate(SpdyFrame.WindowUpdate w) {
        flow.lock();
        try {
            peerFlowControl = true;
            if (w.streamId() == 0) {
                sessionSendWindow += w.delta();
            } else {
                Stream s = streams.get(w.streamId());
                if (s != null) s.sendWindow += w.delta();
            }
            windowGrew.signalAll();
        } finally {
            flow.unlock();
        }
    }

    /** Ends the connection: GOAWAY, every stream ends, the transport closes, the handler is told (once); from any thread. */
    public void close() {
        if (!closing.compareAndSet(false, true)) return;
        over = true;
        sendQuietly(new SpdyFrame.GoAway(lastStreamId, goAwayStatus));
        for (Stream s : List.copyOf(streams.values())) s.remoteReset();
        flow.lock();
        try {
            windowGrew.signalAll();
        } finally {
            flow.unlock();
        }
        transport.close();
        writing.lock();
        try {
            encoder.close();
        } finally {
            writing.unlock();
        }
        ended.countDown();
        handler.closed();
    }

    public boolean isOpen() { return !over; }

    /** Waits until the connection has ended (the client closed it, or {@link #close}); false if it has not by then. */
    public boolean awaitEnd(java.time.Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void send(SpdyFrame frame) {
        try {
            write(frame);
        } catch (IOException e) {
            close();
        }
    }

    private void sendQuietly(SpdyFrame frame) {
        try {
            write(frame);
        } catch (IOException e) {
            // the connection is going anyway
        }
    }

    private void write(SpdyFrame frame) throws IOException {
        writing.lock();
        try {
            if (over && !(frame instanceof SpdyFrame.GoAway)) throw new IOException("the SPDY connection is closed");
            transport.write(encoder.encode(frame));
        } catch (IllegalStateException | NullPointerException e) {
            throw new IOException("the SPDY connection is closed", e); // the encoder was ended by close()
        } finally {
            writing.unlock();
        }
    }

    /** One stream that the client opened. */
    public final class Stream {
        private final int id;
        private final Map<String, List<String>> headers;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
        private int buffered;
        private boolean remoteFin;
        private boolean reset;
        private boolean localFin;
        /** Guarded by the session's flow lock. */
        private long sendWindow;
        /** Bytes read by the consumer but not yet granted back to the client. */
        private int unacked;
        private final InputStream input = new StreamInput();
        /**
         * Counted down once the SYN_REPLY is out (or the stream is gone): spdystream drops DATA on a stream
         * it has no reply for, so nothing is written before.
         */
        private final java.util.concurrent.CountDownLatch replied = new java.util.concurrent.CountDownLatch(1);

        Stream(int id, Map<String, List<String>> headers, boolean fin, boolean unidirectional) {
            this.id = id;
            this.headers = headers;
            this.remoteFin = fin;
            this.localFin = unidirectional;
            flow.lock();
            try {
                this.sendWindow = initialSendWindow;
            } finally {
                flow.unlock();
            }
        }

        public int id() { return id; }

        /** The connection it belongs to. */
        public SpdySession session() { return SpdySession.this; }

        public Map<String, List<String>> headers() { return headers; }

        /** The first value of header {@code name} (lowercase), or null. */
        public String header(String name) {
            List<String> v = headers.get(name);
            return v == null || v.isEmpty() ? null : v.getFirst();
        }

        /** What the client sends on it; ends at its FIN (EOF) or a reset (EOF too). */
        public InputStream input() { return input; }

        /** Sends {@code len} bytes as DATA frames; throws once the stream or connection is gone. */
        public void write(byte[] b, int off, int len) throws IOException {
            awaitReply();
            while (len > 0) {
                int n = Math.min(len, MAX_FRAME);
                n = reserve(n);
                lock.lock();
                try {
                    if (reset || localFin) throw new IOException("stream " + id + " is closed");
                } finally {
                    lock.unlock();
                }
                byte[] data = new byte[n];
                System.arraycopy(b, off, data, 0, n);
                SpdySession.this.write(new SpdyFrame.Data(id, false, data));
                off += n;
                len -= n;
            }
        }

        /** Waits for send window when the client keeps windows; how much may go now (at least 1). */
        private int reserve(int want) throws IOException {
            flow.lock();
            try {
                while (peerFlowControl && (sendWindow <= 0 || sessionSendWindow <= 0)) {
                    if (over || isReset()) throw new IOException("stream " + id + " is closed");
                    windowGrew.await();
                }
                int n = peerFlowControl ? (int) Math.min(want, Math.min(sendWindow, sessionSendWindow)) : want;
                sendWindow -= n;
                sessionSendWindow -= n;
                return n;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            } finally {
                flow.unlock();
            }
        }

        private void awaitReply() throws IOException {
            try {
                replied.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
        }

        private boolean isReset() {
            lock.lock();
            try {
                return reset;
            } finally {
                lock.unlock();
            }
        }

        /** Half-closes this end (DATA with FIN); the client may still send. Idempotent; quiet if the stream is gone. */
        public void closeWrite() {
            try {
                awaitReply();
            } catch (IOException e) {
                return;
            }
            lock.lock();
            try {
                if (reset || localFin) return;
                localFin = true;
            } finally {
                lock.unlock();
            }
            sendQuietly(new SpdyFrame.Data(id, true, new byte[0]));
            forgetIfDone();
        }

        /** Ends it abnormally (RST_STREAM with {@code status}), both directions. */
        public void reset(int status) {
            lock.lock();
            try {
                if (reset) return;
                reset = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            replied.countDown();
            sendQuietly(new SpdyFrame.RstStream(id, status));
            streams.remove(id);
        }

        /** Data from the client; false if it came after its FIN. Blocks while too much is unread. */
        boolean received(byte[] data, boolean fin) throws InterruptedException {
            lock.lock();
            try {
                if (reset) return true; // late frames of a stream we reset: dropped
                if (remoteFin) return false;
                while (buffered > BUFFER && !reset && !over) changed.await();
                if (data.length > 0) {
                    inbound.add(data);
                    buffered += data.length;
                }
                remoteFin = fin;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (fin) forgetIfDone();
            return true;
        }

        /** The client reset it, or the connection ended: readers see EOF, writers fail. */
        void remoteReset() {
            lock.lock();
            try {
                reset = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            replied.countDown();
            streams.remove(id);
            flow.lock();
            try {
                windowGrew.signalAll();
            } finally {
                flow.unlock();
            }
        }

        private void forgetIfDone() {
            lock.lock();
            try {
                if (!(remoteFin && localFin)) return;
            } finally {
                lock.unlock();
            }
            streams.remove(id);
        }

        /** After the consumer read {@code n} bytes: grant them back to the client (stream and session window). */
        private void consumed(int n) {
            int grant = 0;
            lock.lock();
            try {
                unacked += n;
                if (unacked >= DEFAULT_WINDOW / 2 && !remoteFin && !reset) {
                    grant = unacked;
                    unacked = 0;
                }
            } finally {
                lock.unlock();
            }
            if (grant > 0) sendQuietly(new SpdyFrame.WindowUpdate(id, grant));
            long session;
            flow.lock();
            try {
                sessionUnacked += n;
                session = sessionUnacked >= DEFAULT_WINDOW / 2 ? sessionUnacked : 0;
                if (session > 0) sessionUnacked = 0;
            } finally {
                flow.unlock();
            }
            if (session > 0) sendQuietly(new SpdyFrame.WindowUpdate(0, (int) session));
        }

        private final class StreamInput extends InputStream {
            private byte[] current;
            private int pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                if (current == null || pos == current.length) {
                    lock.lock();
                    try {
                        while (inbound.isEmpty() && !remoteFin && !reset) changed.await();
                        if (inbound.isEmpty()) return -1;
                        current = inbound.poll();
                        pos = 0;
                        buffered -= current.length;
                        changed.signalAll();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted");
                    } finally {
                        lock.unlock();
                    }
                }
                int n = Math.min(len, current.length - pos);
                System.arraycopy(current, pos, b, off, n);
                pos += n;
                consumed(n);
                return n;
            }
        }
    }
}
