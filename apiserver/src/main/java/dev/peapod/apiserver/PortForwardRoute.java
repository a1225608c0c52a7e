package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * {@code GET|POST /api/v1/namespaces/{ns}/pods/{name}/portforward}: checks the pod before any
 * upgrade (it must exist and have a running container, whose network namespace is the pod's),
 * then answers {@link Reply.PortForward}; the HTTP front upgrades to SPDY (POST with
 * {@code Upgrade: SPDY/3.1}) or to a WebSocket tunnelling SPDY (GET with subprotocol
 * {@code SPDY/3.1+portforward.k8s.io}, kubectl 1.31+), and runs a {@link PortForwardSession}.
 * The ports come with each stream (header {@code port}), not in the query.
 */
final class PortForwardRoute {
    private final Rest rest;
    private final PodPortForward node;

    PortForwardRoute(Rest rest, PodPortForward node) {
        this.rest = rest;
        this.node = node;
    }

    Reply prepare(String namespace, String name) {
        JsonNode pod = rest.load(ResourceType.PODS, namespace, name).object();
        String id = anyRunningContainer(pod);
        if (id == null) {
            // kubectl checks the phase first ("pod is not running"); this covers a pod whose containers all just ended.
            throw ApiException.badRequest("pod " + name + " has no running container to forward ports into");
        }
        String uid = pod.at("/metadata/uid").asText();
        return new Reply.PortForward(node, name, uid, () -> {
            try {
                JsonNode now = rest.load(ResourceType.PODS, namespace, name).object();
                return uid.equals(now.at("/metadata/uid").asText()) ? anyRunningContainer(now) : null; // not a namesake
            } catch (ApiException e) {
                return null; // deleted meanwhile
            }
        });
    }

    /** The runtime id of any running container of the pod (they share its network namespace), or null. */
    static String anyRunningContainer(JsonNode pod) {
        for (String list : List.of("/status/containerStatuses", "/status/initContainerStatuses", "/status/ephemeralContainerStatuses")) {
            for (JsonNode c : pod.at(list)) {
                String id = ExecRoute.runningContainerId(pod, c.path("name").asText());
                if (id != null) return id;
            }
        }
        return null;
    }
}
