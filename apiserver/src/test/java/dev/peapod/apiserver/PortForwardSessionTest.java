package dev.peapod.apiserver;

import dev.peapod.apiserver.spdy.SpdyFrame;
import dev.peapod.apiserver.spdy.SpdyTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Port-forward's streams against a local echo server standing in for the pod's. */
class PortForwardSessionTest {
    private final ServerSocket echo = listen();
    private final Set<Socket> accepted = ConcurrentHashMap.newKeySet();
    private final CountDownLatch podSideClosed = new CountDownLatch(1);
    /** The fake node connects on the host's loopback; the port comes from the stream's header. */
    private final PodPortForward node = (uid, id, port) ->
            SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    private final SpdyTestClient client = new SpdyTestClient(new PortForwardSession(new Reply.PortForward(node, "web", "uid-1", () -> "cid")));

    private ServerSocket listen() {
        try {
            var s = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Socket c = s.accept();
                        accepted.add(c);
                        Thread.ofVirtual().start(() -> {
                            // Echoes in upper case until EOF, then closes, as a server that ends after its client's FIN.
                            try (c) {
                                var in = c.getInputStream();
                                for (int b; (b = in.read()) >= 0; ) c.getOutputStream().write(Character.toUpperCase(b));
                            } catch (IOException e) {
                                // closed under it
                            }
                            podSideClosed.countDown();
                        });
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            return s;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @AfterEach
    void end() throws Exception {
        client.close();
        echo.close();
    }

    private void openPair(int errorId, String requestId, int port) {
        client.open(errorId, false, "streamtype", "error", "port", Integer.toString(port), "requestid", requestId);
        client.open(errorId + 2, false, "streamtype", "data", "port", Integer.toString(port), "requestid", requestId);
    }

    @Test
    void dataGoesBothWaysAndTheClientsFinEndsTheConnectionInThePod() throws Exception {
        openPair(1, "0", echo.getLocalPort());
        assertThat(client.next()).isEqualTo(new SpdyFrame.SynReply(1, false, Map.of()));
        assertThat(client.next()).isEqualTo(new SpdyFrame.SynReply(3, false, Map.of()));
        client.send(new SpdyFrame.Data(3, true, "hello".getBytes(StandardCharsets.UTF_8)));
        var text = client.untilFin(Set.of(1, 3));
        assertThat(text.get(3)).isEqualTo("HELLO");
        assertThat(text.getOrDefault(1, "")).as("nothing on the error stream").isEmpty();
        assertThat(podSideClosed.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void twoRequestsAtOnceAreTwoConnections() throws Exception {
        openPair(1, "0", echo.getLocalPort());
        openPair(5, "1", echo.getLocalPort());
        client.send(new SpdyFrame.Data(3, false, "one".getBytes(StandardCharsets.UTF_8)));
        client.send(new SpdyFrame.Data(7, false, "two".getBytes(StandardCharsets.UTF_8)));
        client.send(new SpdyFrame.Data(7, true, new byte[0]));
        client.send(new SpdyFrame.Data(3, true, new byte[0]));
        var text = client.untilFin(Set.of(1, 3, 5, 7));
        assertThat(text.get(3)).isEqualTo("ONE");
        assertThat(text.get(7)).isEqualTo("TWO");
        assertThat(accepted).hasSize(2);
    }

    @Test
    void aPortNothingListensOnIsAnErrorOnTheErrorStream() throws Exception {
        int closedPort;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        openPair(1, "0", closedPort);
        var text = client.untilFin(Set.of(1, 3));
        assertThat(text.get(1)).startsWith("error forwarding port " + closedPort + " to pod web, uid uid-1: ").containsIgnoringCase("refused");
    }

    @Test
    void theClientGoingAwayClosesThePodSideConnection() throws Exception {
        openPair(1, "0", echo.getLocalPort());
        client.send(new SpdyFrame.Data(3, false, "x".getBytes(StandardCharsets.UTF_8)));
        SpdyFrame f;
        do {
            f = client.next(false, 5);
        } while (f != null && !(f instanceof SpdyFrame.Data));
        assertThat(f).isEqualTo(new SpdyFrame.Data(3, false, "X".getBytes(StandardCharsets.UTF_8)));
        client.hangUp();
        assertThat(podSideClosed.await(5, TimeUnit.SECONDS)).as("the socket in the pod is closed").isTrue();
    }

    @Test
    void streamsWithoutAValidPortTypeOrRequestIdAreRefused() throws Exception {
        client.open(1, false, "streamtype", "data", "port", "0", "requestid", "0");
        client.open(3, false, "streamtype", "data", "port", "http", "requestid", "0");
        client.open(5, false, "streamtype", "stdin", "port", "80", "requestid", "0");
        client.open(7, false, "streamtype", "data", "port", "80");
        for (int id = 1; id <= 7; id += 2) assertThat(client.next()).isEqualTo(new SpdyFrame.RstStream(id, SpdyFrame.REFUSED_STREAM));
    }

    @Test
    void aHalfPairEndsWithTheConnection() throws Exception {
        client.open(1, false, "streamtype", "error", "port", "80", "requestid", "9");
        assertThat(client.next()).isEqualTo(new SpdyFrame.SynReply(1, false, Map.of()));
        client.hangUp();
        assertThat(client.session().awaitEnd(java.time.Duration.ofSeconds(1))).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (threadNamed("portforward-web-9") && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(threadNamed("portforward-web-9")).as("the pairing thread ends, not after 30 s").isFalse();
    }

    /** Virtual threads too: from a thread dump of this JVM. */
    private static boolean threadNamed(String prefix) throws Exception {
        var dump = java.nio.file.Files.createTempFile("threads", ".txt");
        java.nio.file.Files.delete(dump);
        var bean = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        bean.dumpThreads(dump.toString(), com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
        try {
            return java.nio.file.Files.readAllLines(dump).stream().anyMatch(l -> l.matches("#\\d+ \"" + prefix + ".*"));
        } finally {
            java.nio.file.Files.deleteIfExists(dump);
        }
    }
}
