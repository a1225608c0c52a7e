package dev.peapod.node.model;

/**
 * Why a container is not running although it should be: the Kubernetes waiting reason
 * ({@code ContainerCreating}, {@code PodInitializing}, {@code CrashLoopBackOff},
 * {@code CreateContainerConfigError}, {@code ErrImageNeverPull}, {@code ErrImagePull},
 * {@code ImagePullBackOff}, {@code RunContainerError}) and a message saying what failed.
 * Reasons travel apart from messages (kubelet {@code sync_result.go}).
 */
public record Waiting(String reason, String message) {}
