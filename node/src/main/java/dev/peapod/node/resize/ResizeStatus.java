package dev.peapod.node.resize;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resize parts of a pod's status (https://kubernetes.io/docs/tasks/configure-pod-container/resize-container-resources/#pod-resize-status),
 * added to what the status computer made; pure.
 * <ul>
 *   <li>{@code containerStatuses[].allocatedResources}: the allocated requests;</li>
 *   <li>{@code containerStatuses[].resources}: the requests and limits a live container's cgroup has
 *       now; for one that is not running, the allocated ones it will start with;</li>
 *   <li>condition {@code PodResizePending} (reason {@code Infeasible}) while a resize the node cannot
 *       take waits; {@code PodResizeInProgress} while allocated and applied resources differ, with
 *       reason {@code Error} and the message when applying failed.</li>
 * </ul>
 * Only cpu and memory are reported, as kubelet does for running containers.
 *
 * @param applied    the resources of each live container's cgroup
 * @param pending    the Infeasible message of a resize waiting, or null
 * @param inProgress allocated resources are still being applied
 * @param error      why applying them failed, or null
 */
public record ResizeStatus(Map<String, ResourceRequirements> applied, String pending, boolean inProgress, String error) {
    public static final String PENDING = "PodResizePending";
    public static final String IN_PROGRESS = "PodResizeInProgress";

    /** Adds the resize fields to {@code status} (changed in place) of the pod with its allocated resources. */
    public void addTo(Pod allocated, PodStatus status, PodStatus previous, String now) {
        var containers = new LinkedHashMap<String, Container>();
        if (allocated.getSpec().getInitContainers() != null) allocated.getSpec().getInitContainers().forEach(c -> containers.put(c.getName(), c));
        allocated.getSpec().getContainers().forEach(c -> containers.put(c.getName(), c));
        var statuses = new ArrayList<ContainerStatus>(status.getContainerStatuses());
        statuses.addAll(status.getInitContainerStatuses());
        for (ContainerStatus s : statuses) {
            Container c = containers.get(s.getName());
            if (c == null) continue;
            ResourceRequirements a = ResizeValidator.orEmpty(c.getResources());
            Map<String, Quantity> requests = compute(a.getRequests());
            if (!requests.isEmpty()) s.setAllocatedResources(requests);
            ResourceRequirements actual = applied.get(s.getName());
            ResourceRequirements shown = actual != null ? actual : a;
            Map<String, Quantity> req = compute(shown.getRequests());
            Map<String, Quantity> lim = compute(shown.getLimits());
            if (!req.isEmpty() || !lim.isEmpty()) {
                var r = new ResourceRequirements();
                if (!lim.isEmpty()) r.setLimits(lim);
                if (!req.isEmpty()) r.setRequests(req);
                s.setResources(r);
            }
        }
        var conditions = new ArrayList<PodCondition>(status.getConditions());
        if (pending != null) conditions.add(condition(PENDING, "Infeasible", pending, previous, now));
        if (inProgress || error != null) {
            conditions.add(condition(IN_PROGRESS, error == null ? null : "Error", error, previous, now));
        }
        status.setConditions(conditions);
    }

    private static Map<String, Quantity> compute(Map<String, Quantity> m) {
        var out = new LinkedHashMap<String, Quantity>();
        if (m == null) return out;
        for (String r : List.of("cpu", "memory")) if (m.containsKey(r)) out.put(r, m.get(r));
        return out;
    }

    /** lastTransitionTime stays what it was while the condition holds (status manager). */
    private static PodCondition condition(String type, String reason, String message, PodStatus previous, String now) {
        String since = now;
        if (previous != null && previous.getConditions() != null) {
            for (PodCondition p : previous.getConditions()) if (type.equals(p.getType())) since = p.getLastTransitionTime();
        }
        return new PodConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
                .withLastProbeTime(null).withLastTransitionTime(since).build();
    }
}
