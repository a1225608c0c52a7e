package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * The channel protocol of {@code pods/exec} over WebSocket, as kubectl 1.32 speaks it
 * (k8s.io/apimachinery/pkg/util/httpstream/wsstream, k8s.io/apimachinery/pkg/util/remotecommand,
 * client-go tools/remotecommand/websocket.go; KEP-4006 "Transition from SPDY to WebSockets"):
 * every binary message is one channel byte followed by that channel's data. Channels: 0 stdin
 * (client to server), 1 stdout, 2 stderr, 3 error (one {@code metav1.Status} JSON when the command
 * has ended), 4 resize (terminal size JSON, client to server). {@code v5.channel.k8s.io} adds the
 * close signal: a message {@code [255, channel]} half-closes that channel (kubectl sends
 * {@code [255, 0]} at the end of its stdin). Pure functions only; the session lives in
 * {@link ExecSession}.
 */
final class ExecChannels {
    static final int STDIN = 0, STDOUT = 1, STDERR = 2, ERROR = 3, RESIZE = 4, CLOSE = 255;
    static final String V5 = "v5.channel.k8s.io";
    static final String V4 = "v4.channel.k8s.io";
    /** The ones served, v5 first. v1–v3 (no Status on the error channel, no exit codes) are not. */
    static final List<String> SUPPORTED = List.of(V5, V4);

    private ExecChannels() {}

    /**
     * The subprotocol to answer for a client offering {@code offered} (the
     * {@code Sec-WebSocket-Protocol} values, in the client's order of preference): the first one
     * served, as wsstream's handshake picks it. Empty: none fits.
     */
    static Optional<String> negotiate(List<String> offered) {
        return offered.stream().map(String::trim).filter(SUPPORTED::contains).findFirst();
    }

    /** One message: {@code channel}, then {@code len} bytes of {@code data} from {@code off}. */
    static ByteBuffer frame(int channel, byte[] data, int off, int len) {
        ByteBuffer b = ByteBuffer.allocate(len + 1);
        b.put((byte) channel).put(data, off, len).flip();
        return b;
    }

    /** What a client's message means. */
    sealed interface Incoming {
        /** Bytes for a channel (stdin, or resize JSON). */
        record Data(int channel, byte[] data) implements Incoming {}

        /** v5's close signal: the client will send no more on {@code channel}. */
        record Close(int channel) implements Incoming {}

        /** An empty message (wsstream clients may send one per channel to open it): nothing to do. */
        record Nothing() implements Incoming {}
    }

    static Incoming parse(ByteBuffer message, String protocol) {
        if (!message.hasRemaining()) return new Incoming.Nothing();
        int channel = message.get() & 0xff;
        byte[] data = new byte[message.remaining()];
        message.get(data);
        if (channel == CLOSE && V5.equals(protocol)) {
            if (data.length != 1) return new Incoming.Nothing();
            return new Incoming.Close(data[0] & 0xff);
        }
        return new Incoming.Data(channel, data);
    }

    /**
     * A resize message's terminal size, {@code {"Width":80,"Height":24}} (remotecommand's
     * TerminalSize), as {width, height}; null if it is not one.
     */
    static int[] size(byte[] json) {
        try {
            var node = Json.MAPPER.readTree(json);
            int w = node.path("Width").asInt(0), h = node.path("Height").asInt(0);
            return w > 0 && h > 0 ? new int[]{w, h} : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /**
     * The error channel's final message: {@code Success} for exit 0; otherwise {@code Failure}
     * with reason {@code NonZeroExitCode} and an {@code ExitCode} cause holding the code, from
     * which kubectl takes its own exit code (remotecommand's v4 error decoder; kubelet writes it
     * so in pkg/kubelet/cri/streaming/remotecommand/websocket.go).
     */
    static ObjectNode exitStatus(int exitCode, List<String> command) {
        ObjectNode s = Json.object();
        s.putObject("metadata");
        if (exitCode == 0) return s.put("status", "Success");
        s.put("status", "Failure")
                .put("message", "command terminated with non-zero exit code: command '" + String.join(" ", command)
                        + "' exited with " + exitCode)
                .put("reason", "NonZeroExitCode");
        s.putObject("details").putArray("causes").addObject().put("reason", "ExitCode").put("message", Integer.toString(exitCode));
        return s;
    }

    /** The error channel's message when the command could not run: kubectl prints {@code message}. */
    static ObjectNode failure(String message) {
        ObjectNode s = Json.object();
        s.putObject("metadata");
        return s.put("status", "Failure").put("message", message);
    }
}
