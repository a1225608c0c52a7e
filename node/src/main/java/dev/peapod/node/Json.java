package dev.peapod.node;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The node's one shared Jackson mapper (building one costs milliseconds on a cold JVM). */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}
}
