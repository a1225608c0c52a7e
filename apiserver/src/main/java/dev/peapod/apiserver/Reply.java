package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;

/** What the API handler answers: one JSON document, or a stream of watch events. */
public sealed interface Reply {
    /**
     * @param warnings texts for HTTP {@code Warning: 299 - "text"} headers, which kubectl prints as
     *                 {@code Warning: text} (kube-apiserver's warnings, and Peapod's lint findings)
     */
    record Document(int status, JsonNode body, java.util.List<String> warnings) implements Reply {
        public Document(int status, JsonNode body) { this(status, body, java.util.List.of()); }
    }

    /** A chunked stream of newline-separated JSON watch events, written until it ends or the client goes. */
    record Stream(Writer writer) implements Reply {}

    /**
     * A document already encoded, e.g. the OpenAPI v2 protobuf ({@link OpenApiProto}).
     *
     * @param headers further response headers (caching)
     */
    record Bytes(int status, String contentType, byte[] body, java.util.Map<String, String> headers) implements Reply {
        public Bytes(int status, String contentType, byte[] body) { this(status, contentType, body, java.util.Map.of()); }
    }

    /** A plain-text stream ({@code text/plain}, as container logs are served), written until it ends or the client goes. */
    record Text(TextWriter writer) implements Reply {}

    /**
     * {@code pods/exec}: checked and ready; the HTTP front upgrades the connection to a WebSocket
     * ({@link ExecChannels}) and runs an {@link ExecSession} on it.
     */
    record Exec(PodExec node, PodExec.Command command, ExecSession.Streams streams) implements Reply {}

    /**
     * {@code pods/portforward}: checked and ready; the HTTP front upgrades the connection to SPDY
     * (or a WebSocket tunnelling SPDY) and runs a {@link PortForwardSession} on it.
     *
     * @param runningContainer a running container of the pod now (its network namespace is the pod's), or null;
     *                         asked for each forwarded connection, as containers restart during a long port-forward
     */
    record PortForward(PodPortForward node, String podName, String podUid, java.util.function.Supplier<String> runningContainer)
            implements Reply {}

    interface TextWriter {
        void write(java.io.OutputStream out) throws IOException, InterruptedException;
    }

    /** Receives the events of a {@link Stream}; each call writes and flushes one line. */
    interface Sink {
        void send(JsonNode event) throws IOException;
    }

    interface Writer {
        void write(Sink sink) throws IOException, InterruptedException;
    }
}
