package dev.peapod.apiserver.spdy;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpdyCodecTest {

    @Test
    void dictionaryIsTheSpdy3OneOf1423Bytes() {
        byte[] d = SpdyDictionary.bytes();
        assertEquals(1423, d.length);
        assertEquals("options", new String(d, 4, 7, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals("enq=0.", new String(d, d.length - 6, 6, java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void seededRandomFramesRoundTripInAnySplit() throws Exception {
        for (long seed = 1; seed <= 40; seed++) {
            var random = new Random(seed);
            List<SpdyFrame> frames = new ArrayList<>();
            for (int i = 0; i < 30; i++) frames.add(randomFrame(random));
            var wire = new ByteArrayOutputStream();
            try (var enc = new SpdyCodec.Encoder()) {
                for (SpdyFrame f : frames) wire.writeBytes(enc.encode(f));
            }
            byte[] bytes = wire.toByteArray();
            List<SpdyFrame> decoded = new ArrayList<>();
            try (var dec = new SpdyCodec.Decoder()) {
                for (int off = 0; off < bytes.length; ) {
                    int n = Math.min(bytes.length - off, 1 + random.nextInt(random.nextBoolean() ? 7 : 3000));
                    dec.feed(bytes, off, n);
                    off += n;
                    for (SpdyFrame f; (f = dec.next()) != null; ) decoded.add(f);
                }
            }
            assertEquals(frames, decoded, "seed " + seed);
        }
    }

    private static SpdyFrame randomFrame(Random r) {
        int id = 1 + r.nextInt(Integer.MAX_VALUE - 1);
        return switch (r.nextInt(9)) {
            case 0 -> {
                byte[] data = new byte[r.nextInt(5) == 0 ? 70_000 : r.nextInt(300)];
                r.nextBytes(data);
                yield new SpdyFrame.Data(id, r.nextBoolean(), data);
            }
            case 1 -> new SpdyFrame.SynStream(id, r.nextInt(100), r.nextInt(8), r.nextBoolean(), r.nextBoolean(), headers(r));
            case 2 -> new SpdyFrame.SynReply(id, r.nextBoolean(), headers(r));
            case 3 -> new SpdyFrame.RstStream(id, 1 + r.nextInt(11));
            case 4 -> new SpdyFrame.Settings(r.nextBoolean(),
                    List.of(new SpdyFrame.Setting(r.nextInt(3), 1 + r.nextInt(8), r.nextInt()), new SpdyFrame.Setting(0, 7, 65536)));
            case 5 -> new SpdyFrame.Ping(r.nextInt());
            case 6 -> new SpdyFrame.GoAway(r.nextInt(Integer.MAX_VALUE), r.nextInt(3));
            case 7 -> new SpdyFrame.Headers(id, r.nextBoolean(), headers(r));
            default -> new SpdyFrame.WindowUpdate(r.nextInt(3) == 0 ? 0 : id, 1 + r.nextInt(Integer.MAX_VALUE - 1));
        };
    }

    private static Map<String, List<String>> headers(Random r) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        String[] names = {"streamtype", "port", "requestid", "x-stream-protocol-version", "content-type", "a"};
        int n = r.nextInt(names.length + 1);
        for (int i = 0; i < n; i++) {
            List<String> values = new ArrayList<>();
            int k = 1 + r.nextInt(3);
            for (int j = 0; j < k; j++) values.add(Integer.toString(r.nextInt(100_000)) + (r.nextBoolean() ? "data" : ""));
            h.put(names[i], values);
        }
        return h;
    }

    private static SpdyFrame decodeOne(byte[] bytes) throws SpdyProtocolException {
        var dec = new SpdyCodec.Decoder();
        dec.feed(bytes, 0, bytes.length);
        return dec.next();
    }

    private static byte[] control(int version, int type, int flags, byte[] payload) {
        return ByteBuffer.allocate(8 + payload.length).putInt(0x80000000 | version << 16 | type)
                .putInt(flags << 24 | payload.length).put(payload).array();
    }

    @Test
    void incompleteFramesWaitForMoreBytes() throws Exception {
        byte[] ping = new SpdyCodec.Encoder().encode(new SpdyFrame.Ping(7));
        var dec = new SpdyCodec.Decoder();
        dec.feed(ping, 0, ping.length - 1);
        assertNull(dec.next());
        dec.feed(ping, ping.length - 1, 1);
        assertEquals(new SpdyFrame.Ping(7), dec.next());
    }

    @Test
    void malformedControlFramesAreSessionErrors() {
        List<byte[]> bad = List.of(
                control(2, SpdyCodec.PING, 0, new byte[4]),                                  // SPDY/2
                control(3, SpdyCodec.PING, 0, new byte[5]),                                  // PING is 4 bytes
                control(3, SpdyCodec.PING, 1, new byte[4]),                                  // PING has no flags
                control(3, SpdyCodec.RST_STREAM, 0, new byte[7]),                            // RST_STREAM is 8 bytes
                control(3, SpdyCodec.RST_STREAM, 0, ByteBuffer.allocate(8).putInt(1).putInt(0).array()), // status 0
                control(3, SpdyCodec.RST_STREAM, 0, ByteBuffer.allocate(8).putInt(0).putInt(5).array()), // stream 0
                control(3, SpdyCodec.GOAWAY, 0, new byte[4]),                                // GOAWAY is 8 bytes in v3
                control(3, SpdyCodec.WINDOW_UPDATE, 0, ByteBuffer.allocate(8).putInt(0).putInt(0).array()), // session delta 0
                control(3, SpdyCodec.SETTINGS, 0, ByteBuffer.allocate(12).putInt(2).putInt(7).putInt(1).array()), // 2 claimed, 1 there
                control(3, SpdyCodec.SYN_STREAM, 0, new byte[9]),                            // shorter than its fixed part
                control(3, SpdyCodec.SYN_STREAM, 0, ByteBuffer.allocate(14).putInt(1).putInt(0).putShort((short) 0)
                        .put(new byte[]{1, 2, 3, 4}).array()),                               // not a zlib stream
                ByteBuffer.allocate(8).putInt(0).putInt(0).array(),                           // data on stream 0
                ByteBuffer.allocate(8).putInt(1).putInt(0x04 << 24).array(),                  // data with an unknown flag
                ByteBuffer.allocate(8).putInt(0x80000000 | 3 << 16 | SpdyCodec.SYN_STREAM).putInt(SpdyCodec.MAX_CONTROL_FRAME + 1).array());
        for (byte[] frame : bad) {
            var e = assertThrows(SpdyProtocolException.class, () -> decodeOne(frame), java.util.HexFormat.of().formatHex(frame));
            assertTrue(e.session());
        }
    }

    @Test
    void windowUpdateOfZeroOnAStreamResetsOnlyThatStream() {
        var e = assertThrows(SpdyProtocolException.class,
                () -> decodeOne(control(3, SpdyCodec.WINDOW_UPDATE, 0, ByteBuffer.allocate(8).putInt(5).putInt(0).array())));
        assertTrue(!e.session() && e.streamId() == 5 && e.status() == SpdyFrame.FLOW_CONTROL_ERROR);
    }

    /** A header block made by hand (so that it can break the rules the encoder keeps), compressed with the dictionary. */
    private static byte[] synStreamWithRawBlock(byte[] raw) {
        var d = new java.util.zip.Deflater();
        d.setDictionary(SpdyDictionary.bytes());
        d.setInput(raw);
        byte[] out = new byte[raw.length + 64];
        int n = d.deflate(out, 0, out.length, java.util.zip.Deflater.SYNC_FLUSH);
        d.end();
        return control(3, SpdyCodec.SYN_STREAM, 0, ByteBuffer.allocate(10 + n).putInt(1).putInt(0).putShort((short) 0).put(out, 0, n).array());
    }

    private static byte[] block(String... nameValues) {
        var b = new ByteArrayOutputStream();
        b.writeBytes(ByteBuffer.allocate(4).putInt(nameValues.length / 2).array());
        for (String s : nameValues) {
            byte[] x = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            b.writeBytes(ByteBuffer.allocate(4).putInt(x.length).array());
            b.writeBytes(x);
        }
        return b.toByteArray();
    }

    @Test
    void headerBlocksBreakingTheRulesAreRefused() throws Exception {
        assertEquals(Map.of("port", List.of("80")), ((SpdyFrame.SynStream) decodeOne(synStreamWithRawBlock(block("port", "80")))).headers());
        for (byte[] raw : List.of(block("Port", "80"), block("port", "80", "port", "81"), block("", "x"),
                ByteBuffer.allocate(8).putInt(1).putInt(100).array(), ByteBuffer.allocate(4).putInt(1_000_000).array(),
                concat(block("a", "b"), new byte[]{9}))) {
            assertThrows(SpdyProtocolException.class, () -> decodeOne(synStreamWithRawBlock(raw)));
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void afterASessionErrorTheDecoderRefusesEverything() throws Exception {
        var dec = new SpdyCodec.Decoder();
        byte[] bad = control(3, SpdyCodec.PING, 0, new byte[3]);
        dec.feed(bad, 0, bad.length);
        assertThrows(SpdyProtocolException.class, dec::next);
        byte[] good = new SpdyCodec.Encoder().encode(new SpdyFrame.Ping(1));
        dec.feed(good, 0, good.length);
        assertThrows(SpdyProtocolException.class, dec::next);
    }

    @Test
    void unknownControlTypesAreSkipped() throws Exception {
        byte[] noop = control(3, 5, 0, new byte[0]);
        byte[] ping = new SpdyCodec.Encoder().encode(new SpdyFrame.Ping(3));
        assertEquals(new SpdyFrame.Ping(3), decodeOne(concat(noop, ping)));
    }

    @Test
    void theEncoderRefusesWhatTheWireCannotCarry() {
        var enc = new SpdyCodec.Encoder();
        assertThrows(IllegalArgumentException.class, () -> enc.encode(new SpdyFrame.SynReply(1, false, Map.of("Port", List.of("1")))));
        assertThrows(IllegalArgumentException.class, () -> enc.encode(new SpdyFrame.Data(0, false, new byte[0])));
        assertThrows(IllegalArgumentException.class, () -> enc.encode(new SpdyFrame.WindowUpdate(1, 0)));
    }
}
