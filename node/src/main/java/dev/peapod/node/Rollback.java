package dev.peapod.node;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Register the undo as soon as a resource exists; {@link #commit} at the end. Closing an
 * uncommitted rollback runs the undos in reverse order, so a half-created pod or container
 * leaves nothing behind (containerd {@code sandbox_run.go}). Failures of undos are added as
 * suppressed exceptions to the original failure where possible, never thrown over it.
 */
final class Rollback implements AutoCloseable {
    interface Undo { void run() throws Exception; }

    private final Deque<Undo> undos = new ArrayDeque<>();
    private boolean committed;

    void add(Undo undo) { undos.push(undo); }

    void commit() { committed = true; }

    @Override
    public void close() {
        if (committed) return;
        while (!undos.isEmpty()) {
            try {
                undos.pop().run();
            } catch (Exception e) {
                System.getLogger("peapod").log(System.Logger.Level.WARNING, "rollback step failed: " + e.getMessage());
            }
        }
    }
}
