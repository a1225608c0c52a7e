package dev.peapod.node.probe;

import java.util.Optional;

/**
 * kubelet's wording for probe events ({@code pkg/kubelet/prober/prober.go}, {@code kuberuntime_manager.go}),
 * which users grep for: {@code Liveness probe failed: HTTP probe failed with statuscode: 500}.
 */
public final class ProbeEvents {
    private ProbeEvents() {}

    /** An event to record: {@code type} Normal or Warning. */
    public record Event(String type, String reason, String message) {}

    /**
     * The event for one probe run: Warning {@code Unhealthy} "&lt;Kind&gt; probe failed: &lt;output&gt;" for
     * a failure, Warning {@code Unhealthy} "&lt;Kind&gt; probe errored and resulted in unknown state:
     * &lt;error&gt;" for an error, Warning {@code ProbeWarning} "&lt;Kind&gt; probe warning: &lt;output&gt;" for
     * a warning, none for a success. kubelet records one on every such run, not only at the threshold.
     */
    public static Optional<Event> forResult(ProbeKind kind, ProbeResult result) {
        String k = kind.label();
        return switch (result.outcome()) {
            case SUCCESS -> Optional.empty();
            case WARNING -> Optional.of(new Event("Warning", "ProbeWarning", k + " probe warning: " + result.output()));
            case FAILURE -> Optional.of(new Event("Warning", "Unhealthy", k + " probe failed: " + result.output()));
            case ERROR -> Optional.of(new Event("Warning", "Unhealthy",
                    k + " probe errored and resulted in unknown state: " + result.output()));
        };
    }

    /** The {@code Killing} event's message when a liveness or startup probe failed past its threshold. */
    public static String killMessage(String container, ProbeKind kind) {
        return "Container " + container + " failed " + kind.label().toLowerCase(java.util.Locale.ROOT)
                + " probe, will be restarted";
    }
}
