package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /api/v1/namespaces/{ns}/pods/{name}/log}: checks the pod and container as
 * kube-apiserver does (LogLocation in pkg/registry/core/pod/strategy.go) and streams the node's
 * log with the PodLogOptions query: {@code container}, {@code previous}, {@code follow},
 * {@code timestamps}, {@code tailLines}, {@code sinceSeconds}, {@code sinceTime}, {@code limitBytes}.
 */
final class LogsRoute {
    private final Rest rest;
    private final PodLogs logs;

    LogsRoute(Rest rest, PodLogs logs) {
        this.rest = rest;
        this.logs = logs;
    }

    Reply get(String namespace, String name, ApiRequest req) {
        JsonNode pod = rest.load(ResourceType.PODS, namespace, name).object();
        String container = container(pod, name, req.param("container"));
        var options = new PodLogs.Options(req.flag("previous"), req.flag("follow"), req.flag("timestamps"),
                req.param("tailLines") == null ? null : Integer.valueOf(req.param("tailLines")), since(req),
                req.param("limitBytes") == null ? null : Long.valueOf(req.param("limitBytes")));
        String uid = pod.at("/metadata/uid").asText();
        // Refuse before the stream starts, while a status code can still say why.
        if (!logs.has(uid, container, options.previous())) {
            throw ApiException.badRequest(options.previous()
                    ? "previous terminated container \"" + container + "\" in pod \"" + name + "\" not found"
                    : "container \"" + container + "\" in pod \"" + name + "\" is waiting to start: " + waitingReason(pod, container));
        }
        return new Reply.Text(out -> logs.write(uid, container, options, out));
    }

    private static Instant since(ApiRequest req) {
        if (req.param("sinceTime") != null) return Instant.parse(req.param("sinceTime"));
        if (req.param("sinceSeconds") != null) return Instant.now().minusSeconds(Long.parseLong(req.param("sinceSeconds")));
        return null;
    }

    /**
     * The named container, or the only one; kubectl names one when the pod has several (its
     * default-container annotation). Also exec's check (kube-apiserver's ExecLocation).
     */
    static String container(JsonNode pod, String podName, String given) {
        List<String> names = new ArrayList<>();
        for (String list : List.of("/spec/initContainers", "/spec/containers", "/spec/ephemeralContainers")) {
            for (JsonNode c : pod.at(list)) names.add(c.path("name").asText());
        }
        if (given != null && !given.isEmpty()) {
            if (!names.contains(given)) {
                throw ApiException.badRequest("container " + given + " is not valid for pod " + podName);
            }
            return given;
        }
        JsonNode containers = pod.at("/spec/containers");
        if (containers.size() == 1) return containers.get(0).path("name").asText();
        throw ApiException.badRequest("a container name must be specified for pod " + podName + ", choose one of: "
                + names.stream().filter(n -> !n.isEmpty()).toList().toString().replace(",", ""));
    }

    private static String waitingReason(JsonNode pod, String container) {
        for (String list : List.of("/status/initContainerStatuses", "/status/containerStatuses")) {
            for (JsonNode c : pod.at(list)) {
                if (container.equals(c.path("name").asText())) return c.at("/state/waiting/reason").asText("ContainerCreating");
            }
        }
        return "ContainerCreating";
    }
}
