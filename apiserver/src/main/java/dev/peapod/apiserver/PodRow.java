package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One {@code kubectl get pods} row: kube-apiserver's {@code printPod} (pkg/printers/internalversion/printers.go,
 * v1.32) on the wire form: READY counts ready containers (and started, ready native sidecars),
 * STATUS is the phase refined by init progress ({@code Init:0/2}), container reasons
 * ({@code CrashLoopBackOff}, {@code Completed}), {@code Terminating}; RESTARTS adds "(5m ago)".
 */
final class PodRow {
    private PodRow() {}

    static List<String> cells(JsonNode pod, Instant now) {
        JsonNode spec = pod.path("spec"), status = pod.path("status");
        String phase = status.path("phase").asText("");
        String reason = status.path("reason").asText("").isEmpty() ? phase : status.path("reason").asText();
        for (JsonNode c : status.path("conditions")) {
            if ("PodScheduled".equals(c.path("type").asText()) && "SchedulingGated".equals(c.path("reason").asText())) reason = "SchedulingGated";
        }
        Set<String> sidecars = new HashSet<>();
        int initCount = spec.path("initContainers").size();
        int total = spec.path("containers").size();
        for (JsonNode c : spec.path("initContainers")) {
            if ("Always".equals(c.path("restartPolicy").asText())) {
                sidecars.add(c.path("name").asText());
                total++;
            }
        }
        int ready = 0, restarts = 0, sidecarRestarts = 0;
        String lastRestart = null, lastSidecarRestart = null;
        boolean initializing = false;
        JsonNode inits = status.path("initContainerStatuses");
        for (int i = 0; i < inits.size(); i++) {
            JsonNode c = inits.get(i);
            boolean sidecar = sidecars.contains(c.path("name").asText());
            restarts += c.path("restartCount").asInt();
            lastRestart = later(lastRestart, c.at("/lastState/terminated/finishedAt"));
            if (sidecar) {
                sidecarRestarts += c.path("restartCount").asInt();
                lastSidecarRestart = later(lastSidecarRestart, c.at("/lastState/terminated/finishedAt"));
            }
            JsonNode terminated = c.at("/state/terminated"), waiting = c.at("/state/waiting");
            if (terminated.isObject() && terminated.path("exitCode").asInt() == 0) continue;
            if (sidecar && c.path("started").asBoolean(false)) {
                if (c.path("ready").asBoolean()) ready++;
                continue;
            }
            if (terminated.isObject()) {
                String r = terminated.path("reason").asText("");
                reason = !r.isEmpty() ? "Init:" + r
                        : terminated.path("signal").asInt() != 0 ? "Init:Signal:" + terminated.path("signal").asInt()
                        : "Init:ExitCode:" + terminated.path("exitCode").asInt();
            } else if (waiting.isObject() && !waiting.path("reason").asText("").isEmpty()
                    && !"PodInitializing".equals(waiting.path("reason").asText())) {
                reason = "Init:" + waiting.path("reason").asText();
            } else {
                reason = "Init:" + i + "/" + initCount;
            }
            initializing = true;
            break;
        }
        if (!initializing || conditionTrue(status, "Initialized")) {
            restarts = sidecarRestarts;
            lastRestart = lastSidecarRestart;
            boolean hasRunning = false;
            JsonNode cs = status.path("containerStatuses");
            for (int i = cs.size() - 1; i >= 0; i--) {
                JsonNode c = cs.get(i);
                restarts += c.path("restartCount").asInt();
                lastRestart = later(lastRestart, c.at("/lastState/terminated/finishedAt"));
                JsonNode terminated = c.at("/state/terminated"), waiting = c.at("/state/waiting");
                if (waiting.isObject() && !waiting.path("reason").asText("").isEmpty()) {
                    reason = waiting.path("reason").asText();
                } else if (terminated.isObject() && !terminated.path("reason").asText("").isEmpty()) {
                    reason = terminated.path("reason").asText();
                } else if (terminated.isObject()) {
                    reason = terminated.path("signal").asInt() != 0 ? "Signal:" + terminated.path("signal").asInt()
                            : "ExitCode:" + terminated.path("exitCode").asInt();
                } else if (c.path("ready").asBoolean() && c.at("/state/running").isObject()) {
                    hasRunning = true;
                    ready++;
                }
            }
            if ("Completed".equals(reason) && hasRunning) reason = hasCondition(status, "Ready") ? "Running" : "NotReady";
        }
        boolean deleting = pod.at("/metadata/deletionTimestamp").isTextual();
        if (deleting && "NodeLost".equals(status.path("reason").asText())) reason = "Unknown";
        else if (deleting && !phase.equals("Succeeded") && !phase.equals("Failed")) reason = "Terminating";

        String restartText = Integer.toString(restarts);
        if (restarts != 0 && lastRestart != null) restartText = restarts + " (" + Tables.since(lastRestart, now) + " ago)";
        String ip = status.path("podIPs").path(0).path("ip").asText("");
        String gates = "<none>";
        if (!spec.path("readinessGates").isEmpty()) {
            int trueCount = 0;
            for (JsonNode g : spec.path("readinessGates")) if (conditionTrue(status, g.path("conditionType").asText())) trueCount++;
            gates = trueCount + "/" + spec.path("readinessGates").size();
        }
        return List.of(pod.at("/metadata/name").asText(), ready + "/" + total, reason, restartText,
                Tables.since(pod.at("/metadata/creationTimestamp").asText(null), now),
                orNone(ip), orNone(spec.path("nodeName").asText("")), orNone(status.path("nominatedNodeName").asText("")), gates);
    }

    private static String orNone(String s) { return s.isEmpty() ? "<none>" : s; }

    private static String later(String current, JsonNode candidate) {
        if (!candidate.isTextual()) return current;
        return current == null || Instant.parse(candidate.textValue()).isAfter(Instant.parse(current)) ? candidate.textValue() : current;
    }

    private static boolean conditionTrue(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (type.equals(c.path("type").asText())) return "True".equals(c.path("status").asText());
        }
        return false;
    }

    /** {@code hasPodReadyCondition}: a Ready condition that is True. */
    private static boolean hasCondition(JsonNode status, String type) { return conditionTrue(status, type); }
}
