package dev.peapod.node.spec;

import io.fabric8.kubernetes.api.model.AppArmorProfile;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;

import java.util.ArrayList;
import java.util.List;

/**
 * The container's effective security settings: the container's securityContext over the pod's
 * (kubelet {@code DetermineEffectiveSecurityContext}, pkg/securitycontext/util.go; docs:
 * https://kubernetes.io/docs/tasks/configure-pod-container/security-context/ — "the settings made
 * at the Container level override the settings made at the Pod level").
 *
 * @param supplementalGroups kubelet's order: fsGroup first, then supplementalGroups
 *                           (pkg/kubelet/kuberuntime/security_context.go)
 * @param strictGroups       {@code supplementalGroupsPolicy: Strict}: no groups from /etc/group
 * @param appArmorProfile    a {@code Localhost} AppArmor profile name (container over annotation over
 *                           pod, kubelet {@code apparmor.GetProfile}), else null; the node's admission
 *                           refused every other confined profile ({@code Admission})
 */
record Security(Long runAsUser, Long runAsGroup, boolean runAsNonRoot, boolean privileged,
                boolean readOnlyRootFilesystem, boolean noNewPrivileges, List<String> capAdd,
                List<String> capDrop, boolean unmaskedProc, List<Long> supplementalGroups,
                boolean strictGroups, String appArmorProfile) {

    static Security of(Pod pod, Container container) {
        PodSecurityContext p = pod.getSpec() == null ? null : pod.getSpec().getSecurityContext();
        SecurityContext c = container.getSecurityContext();
        Long runAsUser = first(c == null ? null : c.getRunAsUser(), p == null ? null : p.getRunAsUser());
        Long runAsGroup = first(c == null ? null : c.getRunAsGroup(), p == null ? null : p.getRunAsGroup());
        Boolean nonRoot = first(c == null ? null : c.getRunAsNonRoot(), p == null ? null : p.getRunAsNonRoot());
        Capabilities caps = c == null ? null : c.getCapabilities();
        return new Security(runAsUser, runAsGroup, Boolean.TRUE.equals(nonRoot),
                c != null && Boolean.TRUE.equals(c.getPrivileged()),
                c != null && Boolean.TRUE.equals(c.getReadOnlyRootFilesystem()),
                // kubelet AddNoNewPrivileges: only an explicit allowPrivilegeEscalation=false sets it.
                c != null && Boolean.FALSE.equals(c.getAllowPrivilegeEscalation()),
                caps == null || caps.getAdd() == null ? List.of() : List.copyOf(caps.getAdd()),
                caps == null || caps.getDrop() == null ? List.of() : List.copyOf(caps.getDrop()),
                c != null && "Unmasked".equals(c.getProcMount()),
                groups(p),
                p != null && "Strict".equals(p.getSupplementalGroupsPolicy()),
                appArmor(pod, container));
    }

    private static String appArmor(Pod pod, Container c) {
        AppArmorProfile profile = c.getSecurityContext() == null ? null : c.getSecurityContext().getAppArmorProfile();
        var annotations = pod.getMetadata() == null ? null : pod.getMetadata().getAnnotations();
        String annotation = annotations == null ? null
                : annotations.get("container.apparmor.security.beta.kubernetes.io/" + c.getName());
        if (profile == null && annotation != null) {
            return annotation.startsWith("localhost/") ? annotation.substring("localhost/".length()) : null;
        }
        if (profile == null && pod.getSpec() != null && pod.getSpec().getSecurityContext() != null) {
            profile = pod.getSpec().getSecurityContext().getAppArmorProfile();
        }
        return profile != null && "Localhost".equals(profile.getType()) ? profile.getLocalhostProfile() : null;
    }

    private static List<Long> groups(PodSecurityContext p) {
        var out = new ArrayList<Long>();
        if (p == null) return out;
        if (p.getFsGroup() != null) out.add(p.getFsGroup());
        if (p.getSupplementalGroups() != null) out.addAll(p.getSupplementalGroups());
        return out;
    }

    private static <T> T first(T a, T b) { return a != null ? a : b; }
}
