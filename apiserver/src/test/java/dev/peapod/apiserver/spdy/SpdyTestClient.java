package dev.peapod.apiserver.spdy;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted SPDY client for tests: runs a {@link SpdySession} with the given handler over an
 * in-memory transport, sends frames through its own codec and reads what the server sent.
 */
public final class SpdyTestClient implements AutoCloseable {
    private static final byte[] EOF = new byte[0];
    private final BlockingQueue<byte[]> toServer = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> toClient = new LinkedBlockingQueue<>();
    private final SpdyCodec.Encoder encoder = new SpdyCodec.Encoder();
    private final SpdyCodec.Decoder decoder = new SpdyCodec.Decoder();
    private final SpdySession session;
    private final Thread reader;

    public SpdyTestClient(SpdySession.Handler handler) {
        var transport = new SpdySession.Transport() {
            private byte[] current = new byte[0];
            private int pos;

            @Override public int read(byte[] buf) throws IOException {
                try {
                    while (pos == current.length) {
                        current = toServer.take();
                        pos = 0;
                        if (current == EOF) return -1;
                    }
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                int n = Math.min(buf.length, current.length - pos);
                System.arraycopy(current, pos, buf, 0, n);
                pos += n;
                return n;
            }

            @Override public void write(byte[] bytes) { toClient.add(bytes); }

            @Override public void close() { toServer.add(EOF); }
        };
        session = new SpdySession(transport, handler);
        reader = Thread.ofVirtual().start(session::run);
    }

    public SpdySession session() { return session; }

    public void send(SpdyFrame f) { toServer.add(encoder.encode(f)); }

    /** Bytes as they are, e.g. a malformed frame. */
    public void sendRaw(byte[] bytes) { toServer.add(bytes); }

    /** Opens stream {@code id} with these header pairs (name, value, ...). */
    public void open(int id, boolean fin, String... nameValues) {
        var headers = new java.util.LinkedHashMap<String, List<String>>();
        for (int i = 0; i < nameValues.length; i += 2) headers.put(nameValues[i], List.of(nameValues[i + 1]));
        send(new SpdyFrame.SynStream(id, 0, 0, fin, false, Map.copyOf(headers)));
    }

    /** The client's connection ends (kubectl exits). */
    public void hangUp() { toServer.add(EOF); }

    /** The next frame from the server within {@code seconds}, skipping WINDOW_UPDATEs unless asked for; null if none came. */
    public SpdyFrame next(boolean windowUpdates, int seconds) throws Exception {
        while (true) {
            SpdyFrame f = decoder.next();
            if (f == null) {
                byte[] b = toClient.poll(seconds, TimeUnit.SECONDS);
                if (b == null) return null;
                decoder.feed(b, 0, b.length);
                continue;
            }
            if (!windowUpdates && f instanceof SpdyFrame.WindowUpdate) continue;
            return f;
        }
    }

    public SpdyFrame next() throws Exception { return next(false, 2); }

    /** Reads frames until every stream in {@code fins} had its FIN (each within 10 s): the data of each stream, as text. */
    public Map<Integer, String> untilFin(java.util.Set<Integer> fins) throws Exception {
        Map<Integer, java.io.ByteArrayOutputStream> got = new java.util.HashMap<>();
        var open = new java.util.HashSet<>(fins);
        while (!open.isEmpty()) {
            SpdyFrame f = next(false, 10);
            if (f == null) throw new AssertionError("streams still open: " + open + ", got " + got.keySet());
            if (f instanceof SpdyFrame.Data d) {
                got.computeIfAbsent(d.streamId(), k -> new java.io.ByteArrayOutputStream()).writeBytes(d.data());
                if (d.fin()) open.remove(d.streamId());
            }
        }
        Map<Integer, String> text = new java.util.HashMap<>();
        got.forEach((k, v) -> text.put(k, v.toString(java.nio.charset.StandardCharsets.UTF_8)));
        return text;
    }

    @Override
    public void close() throws InterruptedException {
        hangUp();
        reader.join(5000);
    }
}
