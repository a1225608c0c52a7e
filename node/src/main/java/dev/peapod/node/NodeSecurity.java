package dev.peapod.node;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The node's security settings (kubelet configuration fields of the same meaning).
 *
 * @param seccompDefault       kubelet's {@code seccompDefault} (KEP-2413): containers without a
 *                             seccompProfile run with RuntimeDefault instead of Unconfined
 * @param seccompRoot          where {@code Localhost} seccomp profiles are looked up (kubelet:
 *                             {@code <root-dir>/seccomp})
 * @param allowedUnsafeSysctls kubelet's {@code allowedUnsafeSysctls}: sysctls (or patterns ending
 *                             in {@code *}) admitted beyond the safe set; each must be known to be
 *                             namespaced
 */
public record NodeSecurity(boolean seccompDefault, Path seccompRoot, List<String> allowedUnsafeSysctls) {
    public NodeSecurity {
        Objects.requireNonNull(seccompRoot, "seccompRoot");
        allowedUnsafeSysctls = List.copyOf(allowedUnsafeSysctls);
        Sysctls.checkAllowList(allowedUnsafeSysctls);
    }

    /** Kubelet's defaults: Unconfined unless a profile is asked for, only safe sysctls. */
    public static NodeSecurity defaults(Path dataDir) {
        return new NodeSecurity(false, dataDir.resolve("seccomp"), List.of());
    }

    public NodeSecurity withSeccompDefault(boolean on) {
        return new NodeSecurity(on, seccompRoot, allowedUnsafeSysctls);
    }

    public NodeSecurity withAllowedUnsafeSysctls(List<String> patterns) {
        return new NodeSecurity(seccompDefault, seccompRoot, patterns);
    }
}
