package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;

/** What the API handler answers: one JSON document, or a stream of watch events. */
public sealed interface Reply {
    record Document(int status, JsonNode body) implements Reply {}

    /** A chunked stream of newline-separated JSON watch events, written until it ends or the client goes. */
    record Stream(Writer writer) implements Reply {}

    /** A plain-text stream ({@code text/plain}, as container logs are served), written until it ends or the client goes. */
    record Text(TextWriter writer) implements Reply {}

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
