package dev.peapod.apiserver.spdy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * SPDY/3 framing (draft-mbelshe-httpbis-spdy-00, section 2.2 and 2.6) for one connection: an
 * {@link Encoder} for the frames this end sends and a {@link Decoder} for those it receives. Header
 * blocks are zlib streams with the SPDY dictionary ({@link SpdyDictionary}), one compression context
 * per direction for the whole connection, each block ending with a sync flush (section 2.6.10.1), so
 * frames must be encoded in the order they are written and decoded in the order they arrive.
 * Not thread safe: the session serializes each direction.
 */
public final class SpdyCodec {
    public static final int VERSION = 3;
    /** Control frame types (section 2.6). 5 (NOOP, SPDY/2) and 10 (CREDENTIAL) are skipped when received. */
    static final int SYN_STREAM = 1, SYN_REPLY = 2, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7, HEADERS = 8,
            WINDOW_UPDATE = 9;
    /** Decompressed header blocks above this are refused (a compression bomb, or a broken peer). */
    static final int MAX_HEADER_BLOCK = 256 * 1024;
    /** Control frames above this are refused: ours carry a few headers at most. */
    static final int MAX_CONTROL_FRAME = 1 << 20;
    /** The 24-bit length field's limit. */
    public static final int MAX_DATA = (1 << 24) - 1;

    private SpdyCodec() {}

    /** Encodes frames; owns the outgoing compression context. */
    public static final class Encoder implements AutoCloseable {
        private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
        private final byte[] chunk = new byte[4096];

        public Encoder() {
            deflater.setDictionary(SpdyDictionary.bytes());
        }

        public byte[] encode(SpdyFrame frame) {
            return switch (frame) {
                case SpdyFrame.Data d -> {
                    if (d.data().length > MAX_DATA) throw new IllegalArgumentException("data frame too large: " + d.data().length);
                    ByteBuffer b = ByteBuffer.allocate(8 + d.data().length);
                    b.putInt(streamId(d.streamId())).putInt((d.fin() ? SpdyFrame.FLAG_FIN : 0) << 24 | d.data().length).put(d.data());
                    yield b.array();
                }
                case SpdyFrame.SynStream s -> {
                    byte[] block = compress(s.headers());
                    if (s.priority() < 0 || s.priority() > 7) throw new IllegalArgumentException("priority " + s.priority());
                    int flags = (s.fin() ? SpdyFrame.FLAG_FIN : 0) | (s.unidirectional() ? SpdyFrame.FLAG_UNIDIRECTIONAL : 0);
                    yield control(SYN_STREAM, flags, 10 + block.length).putInt(streamId(s.streamId()))
                            .putInt(s.associatedTo() & 0x7fffffff).put((byte) (s.priority() << 5)).put((byte) 0).put(block).array();
                }
                case SpdyFrame.SynReply r -> {
                    byte[] block = compress(r.headers());
                    yield control(SYN_REPLY, r.fin() ? SpdyFrame.FLAG_FIN : 0, 4 + block.length).putInt(streamId(r.streamId()))
                            .put(block).array();
                }
                case SpdyFrame.Headers h -> {
                    byte[] block = compress(h.headers());
                    yield control(HEADERS, h.fin() ? SpdyFrame.FLAG_FIN : 0, 4 + block.length).putInt(streamId(h.streamId()))
                            .put(block).array();
                }
                case SpdyFrame.RstStream r -> control(RST_STREAM, 0, 8).putInt(streamId(r.streamId())).putInt(r.status()).array();
                case SpdyFrame.Settings s -> {
                    ByteBuffer b = control(SETTINGS, s.clear() ? 1 : 0, 4 + 8 * s.entries().size()).putInt(s.entries().size());
                    for (var e : s.entries()) b.putInt((e.flags() & 0xff) << 24 | (e.id() & 0xffffff)).putInt(e.value());
                    yield b.array();
                }
                case SpdyFrame.Ping p -> control(PING, 0, 4).putInt(p.id()).array();
                case SpdyFrame.GoAway g -> control(GOAWAY, 0, 8).putInt(g.lastGoodStreamId() & 0x7fffffff).putInt(g.status()).array();
                case SpdyFrame.WindowUpdate w -> {
                    if (w.delta() < 1) throw new IllegalArgumentException("window delta " + w.delta());
                    yield control(WINDOW_UPDATE, 0, 8).putInt(w.streamId() & 0x7fffffff).putInt(w.delta()).array();
                }
            };
        }

        private static int streamId(int id) {
            if (id <= 0) throw new IllegalArgumentException("stream id " + id);
            return id;
        }

        private static ByteBuffer control(int type, int flags, int length) {
            ByteBuffer b = ByteBuffer.allocate(8 + length);
            return b.putInt(0x80000000 | VERSION << 16 | type).putInt(flags << 24 | length);
        }

        /** The header block (section 2.6.10), compressed in this direction's context and sync-flushed. */
        private byte[] compress(Map<String, List<String>> headers) {
            var raw = new ByteArrayOutputStream();
            writeInt(raw, headers.size());
            for (var h : headers.entrySet()) {
                String name = h.getKey();
                if (name.isEmpty() || !name.equals(name.toLowerCase(java.util.Locale.ROOT))) {
                    throw new IllegalArgumentException("header names must be lowercase and not empty: '" + name + "'");
                }
                byte[] n = name.getBytes(StandardCharsets.UTF_8);
                byte[] v = String.join("\0", h.getValue()).getBytes(StandardCharsets.UTF_8);
                writeInt(raw, n.length);
                raw.writeBytes(n);
                writeInt(raw, v.length);
                raw.writeBytes(v);
            }
            deflater.setInput(raw.toByteArray());
            var out = new ByteArrayOutputStream();
            int n;
            do {
                n = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
                out.write(chunk, 0, n);
            } while (n == chunk.length || !deflater.needsInput());
            return out.toByteArray();
        }

        private static void writeInt(ByteArrayOutputStream out, int v) {
            out.write(v >>> 24);
            out.write(v >>> 16);
            out.write(v >>> 8);
            out.write(v);
        }

        @Override
        public void close() { deflater.end(); }
    }

    /**
     * Decodes the bytes of one direction as they come, in any split: {@link #feed} them, then take
     * frames with {@link #next} until it answers null (a frame is not complete yet).
     */
    public static final class Decoder implements AutoCloseable {
        private final Inflater inflater = new Inflater();
        private final byte[] chunk = new byte[4096];
        private ByteBuffer pending = ByteBuffer.allocate(0);
        private boolean broken;

        public void feed(byte[] bytes, int off, int len) {
            if (len == 0) return;
            ByteBuffer b = ByteBuffer.allocate(pending.remaining() + len);
            b.put(pending).put(bytes, off, len).flip();
            pending = b;
        }

        /**
         * The next complete frame, or null. Unknown control frame types are skipped (section 2.2.1:
         * they must be ignored). Throws for a frame that breaks the protocol; after a session error
         * the decoder refuses everything (the compression context may be out of step).
         */
        public SpdyFrame next() throws SpdyProtocolException {
            while (true) {
                if (broken) throw new SpdyProtocolException("the session already failed");
                if (pending.remaining() < 8) return null;
                int p = pending.position();
                int first = pending.getInt(p);
                int second = pending.getInt(p + 4);
                int flags = second >>> 24;
                int length = second & 0xffffff;
                boolean control = first < 0;
                if (control && length > MAX_CONTROL_FRAME) throw fail("control frame too large: " + length + " bytes");
                if (pending.remaining() < 8 + length) return null;
                byte[] payload = new byte[length];
                pending.position(p + 8);
                pending.get(payload);
                if (!control) {
                    int stream = first & 0x7fffffff;
                    if (stream == 0) throw fail("data frame on stream 0");
                    if ((flags & ~SpdyFrame.FLAG_FIN) != 0) throw fail("data frame with unknown flags " + flags);
                    return new SpdyFrame.Data(stream, (flags & SpdyFrame.FLAG_FIN) != 0, payload);
                }
                int version = (first >>> 16) & 0x7fff;
                int type = first & 0xffff;
                if (version != VERSION) throw fail("SPDY version " + version + " (only 3 is spoken)");
                SpdyFrame frame = control(type, flags, ByteBuffer.wrap(payload));
                if (frame != null) return frame;
            }
        }

        private SpdyFrame control(int type, int flags, ByteBuffer b) throws SpdyProtocolException {
            int length = b.remaining();
            switch (type) {
                case SYN_STREAM -> {
                    if (length < 10) throw fail("SYN_STREAM of " + length + " bytes");
                    int id = b.getInt() & 0x7fffffff;
                    int assoc = b.getInt() & 0x7fffffff;
                    int priority = (b.get() & 0xff) >>> 5;
                    b.get(); // slot: client certificates (CREDENTIAL) are not used
                    var headers = headers(b); // always: the compression context must advance
                    if (id == 0) throw fail("SYN_STREAM for stream 0");
                    return new SpdyFrame.SynStream(id, assoc, priority, (flags & SpdyFrame.FLAG_FIN) != 0,
                            (flags & SpdyFrame.FLAG_UNIDIRECTIONAL) != 0, headers);
                }
                case SYN_REPLY, HEADERS -> {
                    if (length < 4) throw fail("control frame type " + type + " of " + length + " bytes");
                    int id = b.getInt() & 0x7fffffff;
                    var headers = headers(b);
                    if (id == 0) throw fail("control frame type " + type + " for stream 0");
                    boolean fin = (flags & SpdyFrame.FLAG_FIN) != 0;
                    return type == SYN_REPLY ? new SpdyFrame.SynReply(id, fin, headers) : new SpdyFrame.Headers(id, fin, headers);
                }
                case RST_STREAM -> {
                    if (length != 8 || flags != 0) throw fail("RST_STREAM of " + length + " bytes, flags " + flags);
                    int id = b.getInt() & 0x7fffffff;
                    int status = b.getInt();
                    if (id == 0 || status == 0) throw fail("RST_STREAM for stream " + id + " with status " + status);
                    return new SpdyFrame.RstStream(id, status);
                }
                case SETTINGS -> {
                    if (length < 4) throw fail("SETTINGS of " + length + " bytes");
                    long count = b.getInt() & 0xffffffffL;
                    if (length != 4 + 8 * count) throw fail("SETTINGS of " + length + " bytes for " + count + " entries");
                    List<SpdyFrame.Setting> entries = new ArrayList<>();
                    for (long i = 0; i < count; i++) {
                        int idFlags = b.getInt();
                        entries.add(new SpdyFrame.Setting(idFlags >>> 24, idFlags & 0xffffff, b.getInt()));
                    }
                    return new SpdyFrame.Settings((flags & 1) != 0, List.copyOf(entries));
                }
                case PING -> {
                    if (length != 4 || flags != 0) throw fail("PING of " + length + " bytes, flags " + flags);
                    return new SpdyFrame.Ping(b.getInt());
                }
                case GOAWAY -> {
                    if (length != 8 || flags != 0) throw fail("GOAWAY of " + length + " bytes, flags " + flags);
                    return new SpdyFrame.GoAway(b.getInt() & 0x7fffffff, b.getInt());
                }
                case WINDOW_UPDATE -> {
                    if (length != 8 || flags != 0) throw fail("WINDOW_UPDATE of " + length + " bytes, flags " + flags);
                    int id = b.getInt() & 0x7fffffff;
                    int delta = b.getInt() & 0x7fffffff;
                    if (delta == 0) {
                        // section 2.6.8: a delta of 0 is a stream error (FLOW_CONTROL_ERROR); on stream 0 the session's
                        if (id == 0) throw fail("WINDOW_UPDATE of 0 for the session");
                        throw new SpdyProtocolException("WINDOW_UPDATE of 0", id, SpdyFrame.FLOW_CONTROL_ERROR, false);
                    }
                    return new SpdyFrame.WindowUpdate(id, delta);
                }
                default -> {
                    return null; // NOOP, CREDENTIAL, future types: ignored
                }
            }
        }

        /** Inflates one header block (it must end exactly at the end of the frame) and parses it. */
        private Map<String, List<String>> headers(ByteBuffer compressed) throws SpdyProtocolException {
            var raw = new ByteArrayOutputStream();
            try {
                inflater.setInput(compressed);
                while (true) {
                    int n = inflater.inflate(chunk);
                    if (n == 0) {
                        if (inflater.needsDictionary()) {
                            inflater.setDictionary(SpdyDictionary.bytes());
                            continue;
                        }
                        break; // needs input: the block is inflated (or ended early, checked below)
                    }
                    raw.write(chunk, 0, n);
                    if (raw.size() > MAX_HEADER_BLOCK) throw fail("header block over " + MAX_HEADER_BLOCK + " bytes");
                }
                if (inflater.finished()) throw fail("header compression stream ended");
                if (inflater.getRemaining() != 0) throw fail("bytes after the header block");
            } catch (DataFormatException | IllegalArgumentException e) {
                throw fail("header block does not inflate: " + e.getMessage());
            }
            ByteBuffer b = ByteBuffer.wrap(raw.toByteArray());
            try {
                long count = b.getInt() & 0xffffffffL;
                if (count > b.remaining() / 8) throw fail("header block claims " + count + " headers");
                Map<String, List<String>> headers = new LinkedHashMap<>();
                for (long i = 0; i < count; i++) {
                    String name = string(b);
                    String value = string(b);
                    if (name.isEmpty()) throw fail("empty header name");
                    if (!name.equals(name.toLowerCase(java.util.Locale.ROOT))) throw fail("header name not lowercase: " + name);
                    if (headers.containsKey(name)) throw fail("header " + name + " twice");
                    headers.put(name, List.of(value.split("\0", -1)));
                }
                if (b.hasRemaining()) throw fail("bytes after the last header");
                return headers;
            } catch (java.nio.BufferUnderflowException e) {
                throw fail("header block truncated");
            }
        }

        private String string(ByteBuffer b) throws SpdyProtocolException {
            int n = b.getInt();
            if (n < 0 || n > b.remaining()) throw fail("header string of " + n + " bytes");
            byte[] s = new byte[n];
            b.get(s);
            return new String(s, StandardCharsets.UTF_8);
        }

        private SpdyProtocolException fail(String message) {
            broken = true;
            return new SpdyProtocolException(message);
        }

        @Override
        public void close() { inflater.end(); }
    }
}
