package dev.peapod.api;

import java.util.List;

/**
 * A manifest could not be accepted: malformed YAML/JSON (message carries source, line and column),
 * unknown fields (strict decoding, like kubectl), or validation errors (one {@link FieldError} each).
 * Nothing has run when this is thrown.
 */
public class ManifestException extends RuntimeException {
    private final List<FieldError> errors;

    public ManifestException(String message) { this(message, List.of()); }

    public ManifestException(String message, List<FieldError> errors) {
        super(message);
        this.errors = List.copyOf(errors);
    }

    public ManifestException(String message, Throwable cause) {
        super(message, cause);
        this.errors = List.of();
    }

    /** The validation errors behind this exception; empty for decoding failures. */
    public List<FieldError> errors() { return errors; }
}
