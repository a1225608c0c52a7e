package dev.peapod.apiserver.spdy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server session against a scripted client speaking through the codec over an in-memory transport. */
class SpdySessionTest {
    private final BlockingQueue<SpdySession.Stream> opened = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean refuseAll;
    private SpdyTestClient client;
    private SpdySession session;

    private void start() {
        client = new SpdyTestClient(new SpdySession.Handler() {
            @Override public boolean opened(SpdySession.Stream stream) {
                if (refuseAll) return false;
                SpdySessionTest.this.opened.add(stream);
                return true;
            }

            @Override public void closed() { closed.countDown(); }
        });
        session = client.session();
    }

    @AfterEach
    void end() throws Exception {
        if (client != null) client.close();
    }

    private void send(SpdyFrame f) { client.send(f); }

    private SpdyFrame next(boolean windowUpdates) throws Exception { return client.next(windowUpdates, 2); }

    private SpdyFrame next() throws Exception { return next(false); }

    private static Map<String, List<String>> headers(String type) {
        return Map.of("streamtype", List.of(type), "port", List.of("80"), "requestid", List.of("0"));
    }

    @Test
    void anAcceptedStreamIsRepliedCarriesDataBothWaysAndHalfCloses() throws Exception {
        start();
        send(new SpdyFrame.SynStream(1, 0, 0, false, false, headers("data")));
        assertEquals(new SpdyFrame.SynReply(1, false, Map.of()), next());
        SpdySession.Stream s = opened.take();
        assertEquals("data", s.header("streamtype"));
        send(new SpdyFrame.Data(1, false, "ping".getBytes(StandardCharsets.UTF_8)));
        send(new SpdyFrame.Data(1, true, "!".getBytes(StandardCharsets.UTF_8)));
        assertEquals("ping!", new String(s.input().readAllBytes(), StandardCharsets.UTF_8)); // FIN: EOF
        s.write("pong".getBytes(StandardCharsets.UTF_8), 0, 4);
        s.closeWrite();
        assertEquals(new SpdyFrame.Data(1, false, "pong".getBytes(StandardCharsets.UTF_8)), next());
        assertEquals(new SpdyFrame.Data(1, true, new byte[0]), next());
        // After both FINs the stream is gone: more data is refused as for an unknown stream.
        send(new SpdyFrame.Data(1, false, new byte[]{1}));
        assertEquals(new SpdyFrame.RstStream(1, SpdyFrame.INVALID_STREAM), next());
    }

    @Test
    void largeWritesAreSplitAndReadsAreGrantedBackAsWindowUpdates() throws Exception {
        start();
        send(new SpdyFrame.SynStream(1, 0, 0, false, false, headers("data")));
        next();
        SpdySession.Stream s = opened.take();
        byte[] big = new byte[100_000];
        new java.util.Random(3).nextBytes(big);
        Thread.ofVirtual().start(() -> {
            try {
                s.write(big, 0, big.length);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        var got = new java.io.ByteArrayOutputStream();
        while (got.size() < big.length) {
            var d = assertInstanceOf(SpdyFrame.Data.class, next());
            assertTrue(d.data().length <= SpdySession.MAX_FRAME);
            got.writeBytes(d.data());
        }
        assertTrue(java.util.Arrays.equals(big, got.toByteArray()));
        // The client sends 40000 bytes; as the server reads them, the window comes back for the stream and the session,
        // once half a window (32 KiB) has been read.
        send(new SpdyFrame.Data(1, false, new byte[40_000]));
        assertEquals(40_000, s.input().readNBytes(40_000).length);
        List<SpdyFrame> updates = new ArrayList<>(List.of(next(true), next(true)));
        assertTrue(updates.contains(new SpdyFrame.WindowUpdate(1, 32_768)), updates.toString());
        assertTrue(updates.contains(new SpdyFrame.WindowUpdate(0, 32_768)), updates.toString());
        assertNull(next(true), "the rest is granted later");
    }

    @Test
    void aClientThatKeepsWindowsIsNotSentMoreThanItsWindow() throws Exception {
        start();
        send(new SpdyFrame.Settings(false, List.of(new SpdyFrame.Setting(0, SpdyFrame.SETTINGS_INITIAL_WINDOW_SIZE, 1000))));
        send(new SpdyFrame.SynStream(1, 0, 0, false, false, headers("data")));
        next();
        SpdySession.Stream s = opened.take();
        var writer = Thread.ofVirtual().start(() -> {
            try {
                s.write(new byte[3000], 0, 3000);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(1000, assertInstanceOf(SpdyFrame.Data.class, next()).data().length);
        assertNull(next(), "nothing more until the window grows");
        send(new SpdyFrame.WindowUpdate(1, 2000));
        assertEquals(2000, assertInstanceOf(SpdyFrame.Data.class, next()).data().length);
        writer.join(5000);
        assertFalse(writer.isAlive());
    }

    @Test
    void pingsOfTheClientAreEchoedAndRefusedStreamsReset() throws Exception {
        start();
        send(new SpdyFrame.Ping(7));
        assertEquals(new SpdyFrame.Ping(7), next());
        refuseAll = true;
        send(new SpdyFrame.SynStream(3, 0, 0, false, false, headers("error")));
        assertEquals(new SpdyFrame.RstStream(3, SpdyFrame.REFUSED_STREAM), next());
    }

    @Test
    void aClientResetEndsTheStreamForReadersAndWriters() throws Exception {
        start();
        send(new SpdyFrame.SynStream(1, 0, 0, false, false, headers("data")));
        next();
        SpdySession.Stream s = opened.take();
        send(new SpdyFrame.RstStream(1, SpdyFrame.CANCEL));
        assertEquals(-1, s.input().read());
        assertThrows(IOException.class, () -> s.write(new byte[1], 0, 1));
    }

    @Test
    void aStreamIdGoingBackwardsEndsTheSessionWithGoAway() throws Exception {
        start();
        send(new SpdyFrame.SynStream(5, 0, 0, false, false, headers("data")));
        next();
        SpdySession.Stream s = opened.take();
        send(new SpdyFrame.SynStream(3, 0, 0, false, false, headers("data")));
        assertEquals(new SpdyFrame.GoAway(5, 1), next());
        assertTrue(closed.await(5, TimeUnit.SECONDS));
        assertEquals(-1, s.input().read());
        assertFalse(session.isOpen());
    }

    @Test
    void theClientGoingAwayEndsEveryStreamAndTellsTheHandler() throws Exception {
        start();
        send(new SpdyFrame.SynStream(1, 0, 0, false, false, headers("data")));
        next();
        SpdySession.Stream s = opened.take();
        client.hangUp();
        assertTrue(closed.await(5, TimeUnit.SECONDS));
        assertEquals(-1, s.input().read());
        assertTrue(session.awaitEnd(java.time.Duration.ofSeconds(1)));
    }

    @Test
    void aMalformedFrameEndsTheSessionWithAProtocolErrorGoAway() throws Exception {
        start();
        send(new SpdyFrame.SynStream(1, 0, 0, false, false, headers("data")));
        next();
        SpdySession.Stream s = opened.take();
        // A PING of 5 bytes (it has 4).
        client.sendRaw(java.nio.ByteBuffer.allocate(13).putInt(0x80000000 | 3 << 16 | 6).putInt(5).array());
        assertEquals(new SpdyFrame.GoAway(1, SpdyFrame.PROTOCOL_ERROR), next());
        assertTrue(closed.await(5, TimeUnit.SECONDS));
        assertEquals(-1, s.input().read());
        assertNull(next(), "one GOAWAY, then nothing");
    }
}
