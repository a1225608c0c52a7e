package dev.peapod.node.spec;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SeccompProfile;

import java.nio.file.Path;

/**
 * Which seccomp profile a container runs with
 * (https://kubernetes.io/docs/tutorials/security/seccomp/): the container's
 * {@code securityContext.seccompProfile}, else the pod's, else the node's default —
 * {@code RuntimeDefault} when the node runs with kubelet's {@code seccompDefault} (KEP-2413),
 * otherwise {@code Unconfined}, as kubelet does without it. A privileged container is always
 * unconfined: containerd and CRI-O skip the profile for it.
 */
public sealed interface SeccompChoice {

    record Unconfined() implements SeccompChoice {}

    record RuntimeDefault() implements SeccompChoice {}

    /** A profile file, relative to the node's seccomp root ({@code <root>/seccomp} with kubelet). */
    record Localhost(String profile) implements SeccompChoice {}

    /**
     * @throws SpecException {@code CreateContainerConfigError} for a Localhost profile without a
     *                       path, or one that is absolute or climbs out of the seccomp root
     */
    public static SeccompChoice of(Pod pod, Container container, boolean runtimeDefaultByDefault) {
        var pc = pod.getSpec() == null ? null : pod.getSpec().getSecurityContext();
        var cc = container.getSecurityContext();
        if (cc != null && Boolean.TRUE.equals(cc.getPrivileged())) return new Unconfined();
        SeccompProfile p = cc != null && cc.getSeccompProfile() != null ? cc.getSeccompProfile()
                : pc == null ? null : pc.getSeccompProfile();
        if (p == null || p.getType() == null) return runtimeDefaultByDefault ? new RuntimeDefault() : new Unconfined();
        return switch (p.getType()) {
            case "RuntimeDefault" -> new RuntimeDefault();
            case "Unconfined" -> new Unconfined();
            case "Localhost" -> new Localhost(localPath(container, p.getLocalhostProfile()));
            default -> throw invalid(container, "type", "unsupported value \"" + p.getType()
                    + "\": supported values: \"Localhost\", \"RuntimeDefault\", \"Unconfined\"");
        };
    }

    /** The API server's validateLocalDescendingPath, checked again because the node reads the file. */
    private static String localPath(Container c, String path) {
        if (path == null || path.isEmpty()) throw invalid(c, "localhostProfile", "Required value: must be set when seccomp type is Localhost");
        if (path.startsWith("/")) throw invalid(c, "localhostProfile", "must be a relative path");
        for (Path part : Path.of(path)) {
            if (part.toString().equals("..")) throw invalid(c, "localhostProfile", "must not contain '..'");
        }
        return path;
    }

    private static SpecException invalid(Container c, String field, String detail) {
        return new SpecException(SpecException.CREATE_CONTAINER_CONFIG_ERROR,
                "invalid seccompProfile." + field + " of container \"" + c.getName() + "\": " + detail);
    }
}
