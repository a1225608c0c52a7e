package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Server-side printing ({@code meta.k8s.io/v1 Table}), which kubectl asks for with
 * {@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}: the columns and cell values of
 * kube-apiserver's printers (pkg/printers/internalversion/printers.go). Columns of priority 1 are
 * what {@code -o wide} adds; the server always sends them.
 */
final class Tables {
    private Tables() {}

    record Column(String name, String description, int priority) {}

    static final Column NAME = new Column("Name", "Name must be unique within a namespace.", 0);
    static final Column AGE = new Column("Age", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0);

    static ObjectNode table(ResourceType type, List<JsonNode> objects, String resourceVersion, String includeObject, Instant now) {
        var t = Json.object().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
        t.putObject("metadata").put("resourceVersion", resourceVersion);
        ArrayNode columns = t.putArray("columnDefinitions");
        for (Column c : columns(type)) {
            columns.addObject().put("name", c.name()).put("type", "string").put("format", c == NAME ? "name" : "")
                    .put("description", c.description()).put("priority", c.priority());
        }
        ArrayNode rows = t.putArray("rows");
        for (JsonNode o : objects) {
            var row = rows.addObject();
            var cells = row.putArray("cells");
            cells(type, o, now).forEach(cells::add);
            if (!"None".equals(includeObject)) row.set("object", "Object".equals(includeObject) ? o : partial(o));
        }
        return t;
    }

    private static ObjectNode partial(JsonNode o) {
        var p = Json.object().put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
        p.set("metadata", o.path("metadata"));
        return p;
    }

    static List<Column> columns(ResourceType type) {
        return switch (type.name()) {
            case "pods" -> List.of(NAME,
                    new Column("Ready", "The aggregate readiness state of this pod for accepting traffic.", 0),
                    new Column("Status", "The aggregate status of the containers in this pod.", 0),
                    new Column("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.", 0),
                    AGE,
                    new Column("IP", "The IP address assigned to the pod", 1),
                    new Column("Node", "The name of the node to which the pod is assigned", 1),
                    new Column("Nominated Node", "The name of the node that is nominated for this pod", 1),
                    new Column("Readiness Gates", "The readiness gates for this pod", 1));
            case "namespaces" -> List.of(NAME, new Column("Status", "The status of the namespace", 0), AGE);
            case "nodes" -> List.of(NAME, new Column("Status", "The status of the node", 0), new Column("Roles", "The roles of the node", 0),
                    AGE, new Column("Version", "Kubelet Version reported by the node.", 0),
                    new Column("Internal-IP", "List of internal IPs for the node.", 1), new Column("External-IP", "List of external IPs for this node.", 1),
                    new Column("OS-Image", "OS image reported by the node.", 1), new Column("Kernel-Version", "Kernel version reported by the node.", 1),
                    new Column("Container-Runtime", "Container runtime and version reported by the node.", 1));
            case "configmaps" -> List.of(NAME, new Column("Data", "Number of data entries", 0), AGE);
            case "leases" -> List.of(NAME, new Column("Holder", "Name of the Lease holder", 0), AGE);
            case "secrets" -> List.of(NAME, new Column("Type", "The type of the secret", 0), new Column("Data", "Number of data entries", 0), AGE);
            case "serviceaccounts" -> List.of(NAME, new Column("Secrets", "Number of secrets", 0), AGE);
            case "persistentvolumeclaims" -> Claims.COLUMNS;
            case "events" -> List.of(new Column("Last Seen", "Time when last event occurred", 0),
                    new Column("Type", "Type of this event", 0), new Column("Reason", "Reason why this event was generated", 0),
                    new Column("Object", "The object this event is about", 0), new Column("Message", "Human readable description of this event", 0));
            default -> List.of(NAME, AGE);
        };
    }

    private static List<String> cells(ResourceType type, JsonNode o, Instant now) {
        String name = o.path("metadata").path("name").asText();
        String age = since(o.path("metadata").path("creationTimestamp").asText(null), now);
        return switch (type.name()) {
            case "pods" -> PodRow.cells(o, now);
            case "namespaces" -> List.of(name, o.path("status").path("phase").asText("Active"), age);
            case "nodes" -> nodeCells(o, name, age);
            case "configmaps" -> List.of(name, Integer.toString(o.path("data").size() + o.path("binaryData").size()), age);
            case "leases" -> List.of(name, o.at("/spec/holderIdentity").asText(""), age);
            case "secrets" -> List.of(name, o.path("type").asText("Opaque"), Integer.toString(o.path("data").size()), age);
            case "serviceaccounts" -> List.of(name, Integer.toString(o.path("secrets").size()), age);
            case "persistentvolumeclaims" -> Claims.cells(o, name, age);
            case "events" -> List.of(since(firstText(o, "/lastTimestamp", "/eventTime", "/metadata/creationTimestamp"), now),
                    o.path("type").asText(), o.path("reason").asText(),
                    o.at("/involvedObject/kind").asText().toLowerCase() + "/" + o.at("/involvedObject/name").asText(),
                    o.path("message").asText());
            default -> List.of(name, age);
        };
    }

    /** kube-apiserver's printNode: STATUS is Ready/NotReady/Unknown (plus SchedulingDisabled), ROLES from node-role.kubernetes.io/ labels. */
    private static List<String> nodeCells(JsonNode o, String name, String age) {
        String status = "Unknown";
        for (JsonNode c : o.at("/status/conditions")) {
            if ("Ready".equals(c.path("type").asText())) status = "True".equals(c.path("status").asText()) ? "Ready" : "NotReady";
        }
        if (o.at("/spec/unschedulable").asBoolean(false)) status += ",SchedulingDisabled";
        var roles = new java.util.TreeSet<String>();
        o.at("/metadata/labels").fieldNames().forEachRemaining(l -> {
            if (l.startsWith("node-role.kubernetes.io/")) roles.add(l.substring("node-role.kubernetes.io/".length()));
        });
        String internal = "<none>", external = "<none>";
        for (JsonNode a : o.at("/status/addresses")) {
            if (internal.equals("<none>") && "InternalIP".equals(a.path("type").asText())) internal = a.path("address").asText();
            if (external.equals("<none>") && "ExternalIP".equals(a.path("type").asText())) external = a.path("address").asText();
        }
        JsonNode info = o.at("/status/nodeInfo");
        return List.of(name, status, roles.isEmpty() ? "<none>" : String.join(",", roles), age, info.path("kubeletVersion").asText(),
                internal, external, info.path("osImage").asText("<unknown>"), info.path("kernelVersion").asText("<unknown>"),
                info.path("containerRuntimeVersion").asText("<unknown>"));
    }

    private static String firstText(JsonNode o, String... pointers) {
        for (String p : pointers) if (o.at(p).isTextual()) return o.at(p).textValue();
        return null;
    }

    /** {@code translateTimestampSince}: "&lt;unknown&gt;" without a timestamp, else {@link #human}. */
    static String since(String timestamp, Instant now) {
        if (timestamp == null || timestamp.isEmpty()) return "<unknown>";
        return human(Duration.between(Instant.parse(timestamp), now));
    }

    /** k8s.io/apimachinery/pkg/util/duration.HumanDuration. */
    static String human(Duration d) {
        long seconds = d.toSeconds();
        if (seconds < -1) return "<invalid>";
        if (seconds < 0) return "0s";
        if (seconds < 120) return seconds + "s";
        long minutes = d.toMinutes();
        if (minutes < 10) return seconds % 60 == 0 ? minutes + "m" : minutes + "m" + (seconds % 60) + "s";
        if (minutes < 180) return minutes + "m";
        long hours = d.toHours();
        if (hours < 8) return minutes % 60 == 0 ? hours + "h" : hours + "h" + (minutes % 60) + "m";
        if (hours < 48) return hours + "h";
        if (hours < 24 * 8) return hours % 24 == 0 ? hours / 24 + "d" : hours / 24 + "d" + (hours % 24) + "h";
        if (hours < 24 * 365 * 2) return hours / 24 + "d";
        if (hours < 24 * 365 * 8) {
            long dy = (hours / 24) % 365;
            return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
        }
        return hours / 24 / 365 + "y";
    }
}
