package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * {@code GET|POST /api/v1/namespaces/{ns}/pods/{name}/attach}: the checks kube-apiserver
 * (AttachLocation in pkg/registry/core/pod/strategy.go: the container must be one of the pod's)
 * and kubelet (it must be running) make, then the same WebSocket session as exec
 * ({@link Reply.Exec}, {@link ExecSession}) with the node's {@link PodAttach} in place of a
 * command. Query (PodAttachOptions): {@code container}, {@code stdin}, {@code stdout},
 * {@code stderr}, {@code tty}.
 *
 * <p>As kubelet's GetAttach: whether there is a terminal is the container's {@code tty}
 * (kubectl asks for the same: it turns {@code -t} on or off to match, printing
 * {@code Unable to use a TTY - container app did not allocate one}); with a terminal there is
 * no stderr (remotecommand's NewOptions drops it). The session treats the stream as a terminal
 * (sized, resized, stdin never half-closed) only when the client does too: kubectl without a
 * terminal of its own sends no size to wait for. Stdin sent to a container without
 * {@code stdin: true} goes nowhere, as with containerd and CRI-O (its stdin is not open).
 */
final class AttachRoute {
    private final Rest rest;
    private final PodAttach node;

    AttachRoute(Rest rest, PodAttach node) {
        this.rest = rest;
        this.node = node;
    }

    Reply prepare(String namespace, String name, ApiRequest req) {
        JsonNode pod = rest.load(ResourceType.PODS, namespace, name).object();
        String container = LogsRoute.container(pod, name, req.param("container"));
        JsonNode spec = spec(pod, container);
        boolean tty = spec.path("tty").asBoolean(false);
        var streams = new ExecSession.Streams(req.flag("stdin"), req.flag("stdout"), req.flag("stderr") && !tty);
        if (!streams.stdin() && !streams.stdout() && !req.flag("stderr")) {
            throw ApiException.badRequest("you must specify at least 1 of stdin, stdout, stderr");
        }
        String id = ExecRoute.runningContainerId(pod, container);
        if (id == null) throw ApiException.badRequest("container not found (\"" + container + "\")");
        boolean stdin = streams.stdin() && spec.path("stdin").asBoolean(false);
        var target = new PodExec.Command(pod.at("/metadata/uid").asText(), container, id, List.of(), tty && req.flag("tty"), 0, 0);
        return new Reply.Exec(c -> node.attach(c, stdin), target, streams);
    }

    /** The container's spec (any kind); {@link LogsRoute#container} made sure it exists. */
    private static JsonNode spec(JsonNode pod, String container) {
        for (String list : List.of("/spec/initContainers", "/spec/containers", "/spec/ephemeralContainers")) {
            for (JsonNode c : pod.at(list)) {
                if (container.equals(c.path("name").asText())) return c;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
