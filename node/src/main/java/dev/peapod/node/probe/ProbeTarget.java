package dev.peapod.node.probe;

import java.util.Objects;

/** The container attempt a probe result is about. */
public record ProbeTarget(String container, String containerId) {
    public ProbeTarget {
        Objects.requireNonNull(container, "container");
        Objects.requireNonNull(containerId, "containerId");
    }
}
