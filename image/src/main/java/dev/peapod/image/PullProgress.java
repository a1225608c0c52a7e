package dev.peapod.image;

/**
 * What a pull reports while it runs, for progress displays. Called from the pull's threads (one
 * per layer, concurrently); implementations must be thread safe and must not block.
 */
public interface PullProgress {
    /** The manifest was found: {@code layers} layers, {@code bytes} compressed bytes in all. */
    default void resolved(String reference, String manifestDigest, int layers, long bytes) { }

    /** The layer blob {@code digest} of {@code size} bytes: {@code done} bytes so far. */
    default void layer(String digest, long size, long done) { }

    /** The layer blob {@code digest} was already in the store and is not fetched. */
    default void layerExists(String digest, long size) { }

    PullProgress NONE = new PullProgress() { };
}
