package dev.peapod.node.model;

/**
 * How the kubelet treats a container of a pod. A {@code SIDECAR} is an {@code initContainers}
 * entry with {@code restartPolicy: Always} (native sidecar, KEP-753, GA in 1.33): it starts in
 * init order but keeps running alongside the regular containers.
 */
public enum ContainerKind { INIT, SIDECAR, REGULAR }
