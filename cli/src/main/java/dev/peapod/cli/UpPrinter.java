package dev.peapod.cli;

import dev.peapod.node.PodEvent;
import dev.peapod.node.PodListener;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What {@code peapod up} prints: every container's log lines prefixed with a coloured
 * {@code pod/container |} (like docker compose), and lifecycle changes (started, exited with code,
 * restarting in Ns) as {@code pod/container ▸ …} lines.
 */
final class UpPrinter implements PodListener, AutoCloseable {
    private static final String[] COLORS = {"\u001b[36m", "\u001b[33m", "\u001b[32m", "\u001b[35m", "\u001b[34m", "\u001b[96m", "\u001b[93m", "\u001b[92m"};
    private static final String RESET = "\u001b[0m";

    private final PrintStream out;
    private final boolean color;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, LogFollower> followers = new ConcurrentHashMap<>();
    private final Map<String, String> colors = new ConcurrentHashMap<>();
    private final Map<String, String> lastState = new ConcurrentHashMap<>();

    UpPrinter(PrintStream out, boolean color) {
        this.out = out;
        this.color = color;
    }

    @Override
    public void logStarted(Pod pod, String container, int attempt, Path logPath) {
        String key = prefix(pod, container);
        var follower = new LogFollower(logPath, line -> print(key, "| " + line.content())).start();
        var old = followers.put(key, follower);
        if (old != null) old.stop();
    }

    @Override
    public void event(PodEvent e) {
        String who = e.pod() + (e.container() == null ? "" : "/" + e.container());
        switch (e.reason()) {
            case "Started" -> { dev.peapod.node.Trace.mark("started " + who); print(who, "▸ started"); }
            case "Killing" -> print(who, "▸ stopping");
            // Everything else as kubectl describe lists it: reason and message.
            default -> print(who, "▸ " + e.reason() + ": " + e.message());
        }
    }

    @Override
    public void statusChanged(Pod pod) {
        if (pod.getStatus() == null) return;
        List<ContainerStatus> all = new ArrayList<>(pod.getStatus().getInitContainerStatuses());
        all.addAll(pod.getStatus().getContainerStatuses());
        for (ContainerStatus s : all) {
            String key = prefix(pod, s.getName());
            var t = s.getState() == null ? null : s.getState().getTerminated();
            var last = s.getLastState() == null ? null : s.getLastState().getTerminated();
            // A terminated current state, or a new lastState (the container restarted or waits to), is one exit.
            var exit = t != null ? t : last;
            if (exit == null) continue;
            String id = s.getRestartCount() + ":" + exit.getContainerID() + ":" + exit.getFinishedAt();
            if (id.equals(lastState.put(key, id))) continue;
            String reason = exit.getReason() == null ? "" : " (" + exit.getReason() + ")";
            print(key, "▸ exited with code " + exit.getExitCode() + reason);
        }
    }

    /** Drains the pod's log followers and prints its outcome. */
    void podFinished(Pod pod) {
        String prefix = pod.getMetadata().getName() + "/";
        followers.forEach((k, f) -> { if (k.startsWith(prefix)) f.stop(); });
        followers.keySet().removeIf(k -> k.startsWith(prefix));
        var st = pod.getStatus();
        String phase = st == null ? "Unknown" : st.getPhase();
        String detail = st != null && st.getReason() != null ? " (" + st.getReason()
                + (st.getMessage() == null ? "" : ": " + st.getMessage()) + ")" : "";
        print(pod.getMetadata().getName(), "▸ pod " + phase + detail);
    }

    void note(String message) {
        lock.lock();
        try {
            out.println("peapod ▸ " + message);
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    private void print(String who, String text) {
        String c = color ? colors.computeIfAbsent(who.contains("/") ? who : who + "/", k -> COLORS[colors.size() % COLORS.length]) : "";
        lock.lock();
        try {
            out.println(color ? c + who + RESET + " " + text : who + " " + text);
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    private static String prefix(Pod pod, String container) {
        return pod.getMetadata().getName() + "/" + container;
    }

    @Override
    public void close() {
        followers.values().forEach(LogFollower::stop);
        followers.clear();
    }
}
