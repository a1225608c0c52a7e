package dev.peapod.network;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A TCP connection made inside another network namespace, as CRI runtimes make port-forward's
 * (containerd's PortForward dials {@code localhost:port} from within the sandbox's netns): a
 * short-lived platform thread enters the namespace (setns(2) is per thread, and a virtual thread
 * could change carrier between calls), creates the socket there (a socket belongs to the namespace
 * it was created in, for its whole life), connects, and returns to its own namespace; the caller
 * then uses the connected channel from any thread.
 */
public final class NetnsConnect {
    private NetnsConnect() {}

    /**
     * Connects to {@code address} (e.g. 127.0.0.1:port) inside the namespace at {@code netns}.
     * Throws {@link IOException} with the reason (connection refused when nothing listens).
     */
    public static SocketChannel connect(Path netns, InetSocketAddress address, Duration timeout) throws IOException {
        var result = new CompletableFuture<SocketChannel>();
        Thread.ofPlatform().daemon().name("netns-connect").start(() -> {
            try {
                result.complete(NetnsSyscalls.inNamespace(netns.toString(), () -> {
                    SocketChannel channel = SocketChannel.open();
                    try {
                        channel.connect(address);
                        return channel;
                    } catch (IOException | RuntimeException e) {
                        channel.close();
                        throw e;
                    }
                }));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            result.thenAccept(NetnsConnect::closeQuietly); // if it connects after all, nobody wants it
            throw new SocketTimeoutException("connect to " + address + " timed out after " + timeout.toSeconds() + "s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.thenAccept(NetnsConnect::closeQuietly);
            throw new java.io.InterruptedIOException("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) throw io;
            throw new IOException(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // closed anyway
        }
    }
}
