package dev.peapod.oci;

/** The runtime's view of a container ({@code <runtime> state}). Status: creating, created, running, paused, stopped. */
public record ContainerState(String id, String status, int pid) {
    public boolean running() { return "running".equals(status); }
}
