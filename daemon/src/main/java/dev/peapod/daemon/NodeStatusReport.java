package dev.peapod.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Whether a freshly computed Node status is written, as kubelet decides it since the node lease
 * (KEP-589 "Efficient Node Heartbeats"; kubelet's {@code tryUpdateNodeStatus} and
 * {@code nodeStatusHasChanged} in pkg/kubelet/kubelet_node_status.go): the status is computed every
 * {@code nodeStatusUpdateFrequency} (10 s) but written only when it changed meaningfully from the
 * stored one, or when {@link #REPORT_FREQUENCY} ({@code nodeStatusReportFrequency}, default 5 min)
 * has passed since this process last wrote it. The heartbeat proper is the Lease ({@link NodeLease}),
 * renewed every 10 s; so the Node's resourceVersion stays still on a quiet node and watchers of
 * nodes ({@code kubectl get nodes -w}) see a line per change, not one per 10 s.
 *
 * <p>A change is any difference of the status except the conditions' {@code lastHeartbeatTime}:
 * a condition's status, reason, message or {@code lastTransitionTime}, the set of conditions
 * (compared by type, whatever their order), capacity, allocatable, addresses, node info.
 */
record NodeStatusReport(Duration reportFrequency) {
    /** kubelet's {@code nodeStatusReportFrequency} default (KubeletConfiguration v1beta1). */
    static final Duration REPORT_FREQUENCY = Duration.ofMinutes(5);
    static final NodeStatusReport KUBELET_DEFAULT = new NodeStatusReport(REPORT_FREQUENCY);

    /**
     * Whether to write {@code computed} over {@code stored} at {@code now}; {@code lastPost} is when
     * this process last wrote the status, {@code null} if it has not yet (kubelet's zero
     * {@code lastStatusReportTime}: the first report after a start is always written).
     */
    boolean post(JsonNode stored, JsonNode computed, Instant lastPost, Instant now) {
        if (lastPost == null || !now.isBefore(lastPost.plus(reportFrequency))) return true;
        return changed(stored, computed);
    }

    /** kubelet's nodeStatusHasChanged: the statuses differ other than in the conditions' heartbeat times. */
    static boolean changed(JsonNode before, JsonNode after) {
        if (before == null || before.isMissingNode() || before.isNull()) return after != null && !after.isMissingNode() && !after.isNull();
        if (after == null || after.isMissingNode() || after.isNull()) return true;
        if (!conditionsWithoutHeartbeat(before).equals(conditionsWithoutHeartbeat(after))) return true;
        return !withoutConditions(before).equals(withoutConditions(after));
    }

    /** The conditions sorted by type, each without its lastHeartbeatTime (kubelet sorts them by type and blanks it). */
    private static List<JsonNode> conditionsWithoutHeartbeat(JsonNode status) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode c : status.path("conditions")) {
            JsonNode copy = c.deepCopy();
            if (copy instanceof ObjectNode o) o.remove("lastHeartbeatTime");
            out.add(copy);
        }
        out.sort(Comparator.comparing(c -> c.path("type").asText())); // stable, as kubelet's sort.SliceStable
        return out;
    }

    private static JsonNode withoutConditions(JsonNode status) {
        if (!(status instanceof ObjectNode o)) return status;
        ObjectNode copy = o.deepCopy();
        copy.remove("conditions");
        return copy;
    }
}
