package dev.peapod.network;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Real namespaces (root): a server on 127.0.0.1 inside one is reached only through it. */
class NetnsConnectTest {
    static Path runDir;
    static NetnsManager manager;

    @BeforeAll
    static void setUp() throws Exception {
        RootHost.require();
        runDir = Files.createTempDirectory("peapod-netns-connect-test");
        manager = NetnsManager.linux(runDir);
    }

    @AfterAll
    static void tearDown() {
        if (manager == null) return;
        manager.list().forEach(manager::remove);
        RootHost.sh("umount " + runDir.resolve("netns") + "; rm -rf " + runDir);
    }

    /** A listening socket made inside {@code ns} (bound to its own loopback, on any free port). */
    static ServerSocketChannel listenIn(Path ns) throws Exception {
        var made = new CompletableFuture<ServerSocketChannel>();
        Thread.ofPlatform().start(() -> {
            try {
                made.complete(NetnsSyscalls.inNamespace(ns.toString(),
                        () -> ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))));
            } catch (Throwable t) {
                made.completeExceptionally(t);
            }
        });
        return made.get();
    }

    @Test
    void connectsToLoopbackInsideTheNamespaceNotTheHosts() throws Exception {
        Path ns = manager.create("nsc");
        try (var server = listenIn(ns)) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            var address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            try (SocketChannel c = NetnsConnect.connect(ns, address, Duration.ofSeconds(5)); SocketChannel accepted = server.accept()) {
                c.write(ByteBuffer.wrap("hi".getBytes(StandardCharsets.UTF_8)));
                var buf = ByteBuffer.allocate(2);
                while (buf.hasRemaining()) accepted.read(buf);
                assertThat(new String(buf.array(), StandardCharsets.UTF_8)).isEqualTo("hi");
            }
            // The host's loopback is another one: nothing listens on that port there (the namespace's server is not seen).
            assertThatThrownBy(() -> SocketChannel.open(address).close()).isInstanceOf(IOException.class);
        } finally {
            manager.remove("nsc");
        }
    }

    @Test
    void aPortNothingListensOnIsRefused() throws Exception {
        Path ns = manager.create("nsd");
        try {
            assertThatThrownBy(() -> NetnsConnect.connect(ns, new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), Duration.ofSeconds(5)))
                    .isInstanceOf(java.net.ConnectException.class);
        } finally {
            manager.remove("nsd");
        }
    }

    @Test
    void aPathThatIsNoNamespaceIsAnError() {
        assertThatThrownBy(() -> NetnsConnect.connect(runDir.resolve("none"), new InetSocketAddress(InetAddress.getLoopbackAddress(), 80),
                Duration.ofSeconds(5))).hasMessageContaining("network namespace");
    }
}
