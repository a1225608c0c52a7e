package dev.peapod.node.model;

/**
 * One attempt of one container as observed.
 *
 * @param name     container name from the spec
 * @param kind     init, sidecar or regular
 * @param id       runtime container id
 * @param attempt  0 for the first run, then 1, 2... (restartCount of the latest attempt)
 * @param image    the image as the spec names it
 * @param imageId  the resolved image id ({@code sha256:...})
 * @param state    created, running or exited
 * @param user     the identity its process started with (from its OCI spec), null if unknown
 */
public record ObservedContainer(String name, ContainerKind kind, String id, int attempt,
                                String image, String imageId, RuntimeState state, ContainerUser user) {

    /** An attempt whose user is not known. */
    public ObservedContainer(String name, ContainerKind kind, String id, int attempt, String image, String imageId,
                             RuntimeState state) {
        this(name, kind, id, attempt, image, imageId, state, null);
    }

    public boolean running() { return state instanceof RuntimeState.Running; }

    public boolean exited() { return state instanceof RuntimeState.Exited; }

    public boolean succeeded() { return state instanceof RuntimeState.Exited e && e.exitCode() == 0; }
}
