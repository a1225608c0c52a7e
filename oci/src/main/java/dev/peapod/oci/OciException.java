package dev.peapod.oci;

/** A runtime or conmon action failed; the message reads "failed to VERB OBJECT: CAUSE" with the tool's stderr. */
public class OciException extends RuntimeException {
    public OciException(String message) { super(message); }
    public OciException(String message, Throwable cause) { super(message, cause); }
}
