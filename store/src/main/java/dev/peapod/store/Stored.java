package dev.peapod.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One object as stored: its JSON (with {@code metadata.resourceVersion} equal to {@code revision}),
 * the uid it was created with, and the global revision of its last write.
 * The JSON tree is the caller's copy: changing it changes nothing in the store.
 */
public record Stored(Key key, String uid, long revision, ObjectNode object) {}
