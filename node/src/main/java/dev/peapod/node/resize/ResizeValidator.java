package dev.peapod.node.resize;

import dev.peapod.api.FieldError;
import dev.peapod.api.PodValidator;
import dev.peapod.node.status.QosClass;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerResizePolicy;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What kube-apiserver checks on the {@code resize} subresource (pkg/apis/core/validation
 * {@code ValidatePodResize}; https://kubernetes.io/docs/tasks/configure-pod-container/resize-container-resources/#limitations),
 * as a pure function of the running pod and the resized one:
 * <ul>
 *   <li>the resized pod is a valid pod (requests not above limits, quantities);</li>
 *   <li>only cpu and memory change, only in regular containers and sidecars (not in init
 *       containers that run to completion);</li>
 *   <li>a request or limit that was set is not removed;</li>
 *   <li>the QoS class stays what it was ({@code status.qosClass}).</li>
 * </ul>
 * ({@code RestartContainer} in a {@code restartPolicy: Never} pod, where the container would not
 * start again, is refused by pod validation already.)
 */
public final class ResizeValidator {
    private ResizeValidator() {}

    static final Set<String> MUTABLE = Set.of("cpu", "memory");

    /** The errors, empty when the resize may go ahead. */
    public static List<FieldError> validate(Pod current, Pod resized) {
        var errs = new ArrayList<FieldError>(PodValidator.validate(resized));
        containers(current.getSpec().getInitContainers(), resized.getSpec().getInitContainers(), "spec.initContainers", true, errs);
        containers(current.getSpec().getContainers(), resized.getSpec().getContainers(), "spec.containers", false, errs);
        String before = current.getStatus() != null && current.getStatus().getQosClass() != null
                ? current.getStatus().getQosClass() : QosClass.of(current).apiName();
        if (!before.equals(QosClass.of(resized).apiName())) {
            errs.add(FieldError.invalid("spec", before, "Pod QOS Class may not change as a result of resizing"));
        }
        return errs;
    }

    private static void containers(List<Container> before, List<Container> after, String path, boolean init,
                                   List<FieldError> errs) {
        for (int i = 0; i < before.size(); i++) {
            Container old = before.get(i);
            Container now = after.get(i);
            ResourceRequirements o = orEmpty(old.getResources());
            ResourceRequirements n = orEmpty(now.getResources());
            if (sameMap(o.getRequests(), n.getRequests()) && sameMap(o.getLimits(), n.getLimits())) continue;
            String res = path + "[" + i + "].resources";
            if (init && !"Always".equals(old.getRestartPolicy())) {
                errs.add(FieldError.forbidden(res, "resources for non-sidecar init containers are immutable"));
                continue;
            }
            changes(map(o.getRequests()), map(n.getRequests()), res + ".requests", "resource requests cannot be removed", errs);
            changes(map(o.getLimits()), map(n.getLimits()), res + ".limits", "resource limits cannot be removed", errs);
        }
    }

    private static void changes(Map<String, Quantity> old, Map<String, Quantity> now, String path, String removed,
                                List<FieldError> errs) {
        for (var e : old.entrySet()) {
            if (!now.containsKey(e.getKey())) {
                errs.add(FieldError.forbidden(path + "[" + e.getKey() + "]", removed));
            } else if (!MUTABLE.contains(e.getKey()) && !same(e.getValue(), now.get(e.getKey()))) {
                errs.add(FieldError.forbidden(path + "[" + e.getKey() + "]", "only cpu and memory resources are mutable"));
            }
        }
        for (String name : now.keySet()) {
            if (!old.containsKey(name) && !MUTABLE.contains(name)) {
                errs.add(FieldError.forbidden(path + "[" + name + "]", "only cpu and memory resources are mutable"));
            }
        }
    }

    /** Whether the resize of this container asks for a restart: a changed resource whose policy is RestartContainer. */
    public static boolean needsRestart(Container before, Container after) {
        for (String r : MUTABLE) {
            if (changed(before, after, r) && "RestartContainer".equals(policy(after, r))) return true;
        }
        return false;
    }

    /** The container's resizePolicy for a resource; NotRequired when not given (API default). */
    public static String policy(Container c, String resource) {
        if (c.getResizePolicy() != null) {
            for (ContainerResizePolicy p : c.getResizePolicy()) {
                if (resource.equals(p.getResourceName()) && p.getRestartPolicy() != null) return p.getRestartPolicy();
            }
        }
        return "NotRequired";
    }

    static boolean changed(Container before, Container after, String resource) {
        var o = orEmpty(before.getResources());
        var n = orEmpty(after.getResources());
        return !same(map(o.getRequests()).get(resource), map(n.getRequests()).get(resource))
                || !same(map(o.getLimits()).get(resource), map(n.getLimits()).get(resource));
    }

    private static boolean sameMap(Map<String, Quantity> a, Map<String, Quantity> b) {
        Map<String, Quantity> x = map(a);
        Map<String, Quantity> y = map(b);
        if (!x.keySet().equals(y.keySet())) return false;
        for (var e : x.entrySet()) if (!same(e.getValue(), y.get(e.getKey()))) return false;
        return true;
    }

    static boolean same(Quantity a, Quantity b) {
        if (a == null || b == null) return a == b;
        return a.getNumericalAmount().compareTo(b.getNumericalAmount()) == 0;
    }

    static ResourceRequirements orEmpty(ResourceRequirements r) {
        return r == null ? new ResourceRequirements() : r;
    }

    static Map<String, Quantity> map(Map<String, Quantity> m) {
        return m == null ? Map.of() : m;
    }
}
