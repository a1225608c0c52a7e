package dev.peapod.node.spec;

/**
 * A container's spec cannot be generated. {@link #reason()} is the Kubernetes waiting reason the
 * node reports; the message reads "failed to VERB OBJECT: CAUSE".
 */
public final class SpecException extends RuntimeException {

    /**
     * The runtime refused the container (kubelet's {@code ErrCreateContainer}): what containerd
     * reports while building the spec, e.g. "no command specified" or an unknown user name.
     */
    public static final String CREATE_CONTAINER_ERROR = "CreateContainerError";

    /**
     * Kubelet itself refused the container config (kubelet's {@code ErrCreateContainerConfig}),
     * e.g. {@code runAsNonRoot} with an image that runs as root.
     */
    public static final String CREATE_CONTAINER_CONFIG_ERROR = "CreateContainerConfigError";

    private final String reason;

    public SpecException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() { return reason; }
}
