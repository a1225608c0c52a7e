package dev.peapod.node.spec;

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
 */
record Security(Long runAsUser, Long runAsGroup, boolean runAsNonRoot, boolean privileged,
                boolean readOnlyRootFilesystem, boolean noNewPrivileges, List<String> capAdd,
                List<String> capDrop, boolean unmaskedProc, List<Long> supplementalGroups,
                boolean strictGroups) {

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
                p != null && "Strict".equals(p.getSupplementalGroupsPolicy()));
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
