package dev.peapod.node.model;

import java.time.Instant;

/** The pod sandbox (infra process holding the pod's namespaces) as observed. */
public record ObservedSandbox(String id, boolean ready, Instant createdAt) {}
