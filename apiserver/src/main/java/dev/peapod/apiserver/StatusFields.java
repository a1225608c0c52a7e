package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * managedFields for status writes made beside the API, as the kubelet's status manager makes them
 * through {@code pods/status}: an Update entry of {@code manager} with {@code subresource: status}.
 */
public final class StatusFields {
    private StatusFields() {}

    /** {@code next} (the stored pod {@code live} with a new status) with the writer's managedFields entry. */
    public static ObjectNode podStatusWritten(JsonNode live, ObjectNode next, String manager, Instant now) {
        return ManagedFields.recordUpdate(next, live, null, ResourceType.PODS, manager, "status", now);
    }
}
