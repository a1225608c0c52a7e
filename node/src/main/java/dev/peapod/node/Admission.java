package dev.peapod.node;

import io.fabric8.kubernetes.api.model.AppArmorProfile;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The node's security admission of a pod, before anything of it exists (kubelet's pod admit
 * handlers; a rejected pod fails at once with the handler's reason and message). Pure, apart
 * from {@link #appArmorEnabled()}.
 *
 * <ul>
 *   <li>sysctls: {@link Sysctls#refusal}, reason {@value Sysctls#FORBIDDEN_REASON};</li>
 *   <li>AppArmor (pkg/kubelet/lifecycle/handlers.go {@code appArmorAdmitHandler},
 *       pkg/security/apparmor/validate.go): a pod asking for any profile but Unconfined (pod or
 *       container {@code appArmorProfile}, or the deprecated per-container annotation) on a
 *       host without AppArmor is rejected with reason {@value #APPARMOR_REASON} and "Cannot
 *       enforce AppArmor: AppArmor is not enabled on the host"; a Localhost profile without a
 *       name is rejected too. On a host with AppArmor, Peapod also rejects {@code RuntimeDefault}:
 *       it has no default profile of its own to load (containerd loads
 *       {@code cri-containerd.apparmor.d}), and running unconfined instead would be a silent
 *       downgrade.</li>
 * </ul>
 */
final class Admission {
    private Admission() {}

    static final String APPARMOR_REASON = "AppArmor";
    static final String APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

    record Rejection(String reason, String message) {}

    static Optional<Rejection> check(Pod pod, NodeSecurity security, boolean appArmorEnabled) {
        var sysctl = Sysctls.refusal(pod, security.allowedUnsafeSysctls());
        if (sysctl.isPresent()) return Optional.of(new Rejection(Sysctls.FORBIDDEN_REASON, sysctl.get()));
        return appArmor(pod, appArmorEnabled).map(m -> new Rejection(APPARMOR_REASON, "Cannot enforce AppArmor: " + m));
    }

    private static Optional<String> appArmor(Pod pod, boolean enabled) {
        var profiles = new ArrayList<AppArmorProfile>();
        var psc = pod.getSpec().getSecurityContext();
        if (psc != null && psc.getAppArmorProfile() != null) profiles.add(psc.getAppArmorProfile());
        for (Container c : containers(pod)) {
            if (c.getSecurityContext() != null && c.getSecurityContext().getAppArmorProfile() != null) {
                profiles.add(c.getSecurityContext().getAppArmorProfile());
            }
        }
        var annotations = pod.getMetadata().getAnnotations();
        boolean annotated = annotations != null && annotations.entrySet().stream()
                .anyMatch(e -> e.getKey().startsWith(APPARMOR_ANNOTATION_PREFIX) && !"unconfined".equals(e.getValue()));
        boolean required = annotated || profiles.stream().anyMatch(p -> !"Unconfined".equals(p.getType()));
        if (!required) return Optional.empty();
        if (!enabled) return Optional.of("AppArmor is not enabled on the host");
        for (AppArmorProfile p : profiles) {
            if ("Localhost".equals(p.getType()) && (p.getLocalhostProfile() == null || p.getLocalhostProfile().isBlank())) {
                return Optional.of("invalid empty AppArmor profile name: \"" + p.getLocalhostProfile() + "\"");
            }
            if ("RuntimeDefault".equals(p.getType())) {
                return Optional.of("Peapod has no RuntimeDefault AppArmor profile; use a Localhost profile loaded on the host");
            }
        }
        return Optional.empty();
    }

    private static List<Container> containers(Pod pod) {
        var out = new ArrayList<Container>(pod.getSpec().getInitContainers() == null ? List.of() : pod.getSpec().getInitContainers());
        if (pod.getSpec().getContainers() != null) out.addAll(pod.getSpec().getContainers());
        return out;
    }

    /** runc's apparmor.IsEnabled: the kernel module says Y. */
    static boolean appArmorEnabled() {
        try {
            return Files.readString(Path.of("/sys/module/apparmor/parameters/enabled")).startsWith("Y");
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
