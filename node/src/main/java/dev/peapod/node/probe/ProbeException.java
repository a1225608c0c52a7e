package dev.peapod.node.probe;

/**
 * A probe cannot be built from its spec (a named port the container does not declare, no handler).
 * kubelet reports such a probe as errored on every period and never counts it
 * ({@code pkg/probe/util.go ResolveContainerPort}; {@code prober.go runProbe}).
 */
public final class ProbeException extends RuntimeException {
    public ProbeException(String message) {
        super(message);
    }
}
