package dev.peapod.network;

/**
 * Something in the network layer failed: an invalid CNI configuration, a network namespace that
 * could not be created or removed, a result cache that could not be written. Messages read
 * "failed to VERB OBJECT: CAUSE". Plugin failures are the subclass {@link CniException}.
 */
public class NetworkException extends RuntimeException {
    public NetworkException(String message) { super(message); }
    public NetworkException(String message, Throwable cause) { super(message, cause); }
}
