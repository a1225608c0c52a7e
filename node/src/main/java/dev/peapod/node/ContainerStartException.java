package dev.peapod.node;

/**
 * A container could not be created or started. {@code reason} is the Kubernetes waiting reason
 * users grep for ({@code CreateContainerConfigError}, {@code ErrImageNeverPull},
 * {@code ErrImagePull}, {@code RunContainerError}, {@code CreateContainerError}); the message
 * says what failed.
 */
final class ContainerStartException extends Exception {
    final String reason;

    ContainerStartException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    ContainerStartException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }
}
