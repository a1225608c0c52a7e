package dev.peapod.image.registry;

import dev.peapod.image.ImageException;

/**
 * A pull failed at the registry; {@link #kind} says how, for callers that react to it (the message
 * already says it in words: "unauthorized", "not found", "TLS", "digest mismatch", "network").
 */
public final class RegistryException extends ImageException {
    /** What went wrong, coarsely. */
    public enum Kind { UNAUTHORIZED, NOT_FOUND, TLS, DIGEST_MISMATCH, NETWORK, REFUSED, PROTOCOL }

    private final Kind kind;

    public RegistryException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public RegistryException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
