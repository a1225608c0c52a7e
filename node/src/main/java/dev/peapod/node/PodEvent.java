package dev.peapod.node;

import java.time.Instant;

/**
 * A Kubernetes-style event about a pod ({@code kubectl describe} shows them): {@code type} Normal
 * or Warning, {@code reason} such as Pulled, Created, Started, Killing, BackOff, Failed,
 * FailedMount; {@code container} may be null for pod-level events.
 */
public record PodEvent(String namespace, String pod, String podUid, String container, String type,
                       String reason, String message, Instant time) {

    public String ref() { return namespace + "/" + pod; }
}
