package dev.peapod.api;

import java.util.Objects;

/**
 * One design finding of {@code peapod lint}: a pod that is valid, that Kubernetes would accept, but
 * that the runtime will only show as a failure later (a port clash, a pod that never completes, a
 * SIGKILL during preStop) or that ignores the practices of the Kubernetes docs.
 *
 * @param code     stable identifier ({@code PEA001}…), for tools and for suppressing
 * @param severity {@link Severity#WARNING} for what will misbehave, {@link Severity#INFO} for practice
 * @param pod      the pod's name
 * @param path     Kubernetes field path of the offending field ({@code spec.containers[1].ports[0]})
 * @param message  what is wrong and what it will do, one sentence
 * @param fix      the one-line fix
 */
public record LintFinding(Code code, Severity severity, String pod, String path, String message, String fix) {

    public enum Severity { WARNING, INFO }

    /** Every finding Peapod knows, with its short name; codes are never reused. */
    public enum Code {
        PEA001("port-conflict"),
        PEA002("helper-never-completes"),
        PEA003("sidecar-without-startup-probe"),
        PEA004("liveness-without-startup-probe"),
        PEA005("missing-resources"),
        PEA006("runs-as-root"),
        PEA007("writable-root-filesystem"),
        PEA008("emptydir-not-shared"),
        PEA009("prestop-exceeds-grace-period"),
        PEA010("host-port-clash");

        public final String title;

        Code(String title) { this.title = title; }
    }

    public LintFinding {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(path, "path");
    }

    /** {@code PEA005 spec.containers[0].resources: <message>}: the form warnings are printed in. */
    @Override
    public String toString() {
        return code + " " + path + ": " + message;
    }
}
