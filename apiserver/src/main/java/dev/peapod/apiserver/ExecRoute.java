package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * {@code GET|POST /api/v1/namespaces/{ns}/pods/{name}/exec}: checks the request as kube-apiserver
 * (ExecLocation in pkg/registry/core/pod/strategy.go) and kubelet (the container must be running)
 * do, before any upgrade, so kubectl prints the reason ({@code Error from server (BadRequest):
 * container x is not valid for pod p}); then answers {@link Reply.Exec}, which the HTTP front
 * upgrades to a WebSocket. Query (PodExecOptions): {@code command} (repeated), {@code container},
 * {@code stdin}, {@code stdout}, {@code stderr}, {@code tty}.
 */
final class ExecRoute {
    private final Rest rest;
    private final PodExec node;

    ExecRoute(Rest rest, PodExec node) {
        this.rest = rest;
        this.node = node;
    }

    Reply prepare(String namespace, String name, ApiRequest req) {
        JsonNode pod = rest.load(ResourceType.PODS, namespace, name).object();
        String container = LogsRoute.container(pod, name, req.param("container"));
        List<String> argv = req.params("command");
        if (argv.isEmpty()) throw ApiException.badRequest("you must specify at least 1 command");
        var streams = new ExecSession.Streams(req.flag("stdin"), req.flag("stdout"), req.flag("stderr"));
        if (!streams.stdin() && !streams.stdout() && !streams.stderr()) {
            throw ApiException.badRequest("you must specify at least 1 of stdin, stdout, stderr");
        }
        if (req.flag("tty") && streams.stderr()) {
            // kube-apiserver's PodExecOptions validation: a terminal has one output stream.
            throw ApiException.badRequest("tty and stderr cannot both be true");
        }
        String id = runningContainerId(pod, container);
        if (id == null) throw ApiException.badRequest("container not found (\"" + container + "\")");
        return new Reply.Exec(node, new PodExec.Command(pod.at("/metadata/uid").asText(), container, id, argv, req.flag("tty"), 0, 0), streams);
    }

    /** The runtime id of {@code container} if it runs now (status containerID {@code runtime://id}), else null. */
    static String runningContainerId(JsonNode pod, String container) {
        for (String list : List.of("/status/initContainerStatuses", "/status/containerStatuses", "/status/ephemeralContainerStatuses")) {
            for (JsonNode c : pod.at(list)) {
                if (!container.equals(c.path("name").asText()) || !c.at("/state/running").isObject()) continue;
                String cid = c.path("containerID").asText("");
                int scheme = cid.indexOf("://");
                return scheme < 0 || scheme + 3 == cid.length() ? null : cid.substring(scheme + 3);
            }
        }
        return null;
    }
}
