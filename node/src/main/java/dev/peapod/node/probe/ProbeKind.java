package dev.peapod.node.probe;

/**
 * The three probes a container can have
 * (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#types-of-probe).
 */
public enum ProbeKind {
    /** Holds back liveness and readiness until it succeeds; failing past its threshold kills the container. */
    STARTUP("Startup"),
    /** Failing past its threshold kills the container, which is restarted per its restart policy. */
    LIVENESS("Liveness"),
    /** Drives the container's {@code ready}, and through it ContainersReady and Ready. */
    READINESS("Readiness");

    private final String label;

    ProbeKind(String label) {
        this.label = label;
    }

    /** How kubelet names the probe in events: "Liveness", "Readiness", "Startup". */
    public String label() {
        return label;
    }
}
