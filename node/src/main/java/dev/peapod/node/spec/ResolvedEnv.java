package dev.peapod.node.spec;

import java.util.Objects;

/**
 * One environment variable of the container, with any {@code valueFrom} already resolved by the
 * node. The node lists, in order: service variables (when {@code enableServiceLinks}), then the
 * {@code envFrom} sources, then {@code env}. A later entry replaces an earlier one of the same name.
 *
 * <p>Only literal {@code env[].value}s are subject to {@code $(VAR)} expansion; values from
 * {@code valueFrom} and {@code envFrom} are taken verbatim, as kubelet does
 * ({@code makeEnvironmentVariables} in pkg/kubelet/kubelet_pods.go expands only {@code envVar.Value}).
 *
 * @param name   variable name
 * @param value  value (never null; empty is allowed)
 * @param expand whether {@code value} is a literal to expand
 */
public record ResolvedEnv(String name, String value, boolean expand) {
    public ResolvedEnv {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    /** An {@code env[].value} as written in the pod: {@code $(VAR)} references are expanded. */
    public static ResolvedEnv literal(String name, String value) { return new ResolvedEnv(name, value, true); }

    /** A value from {@code valueFrom}, {@code envFrom} or a service: used verbatim. */
    public static ResolvedEnv resolved(String name, String value) { return new ResolvedEnv(name, value, false); }
}
