package dev.peapod.e2e;

import dev.peapod.node.PodEvent;
import dev.peapod.node.PodListener;
import io.fabric8.kubernetes.api.model.Pod;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records everything the engine reports, for assertions. */
final class RecordingListener implements PodListener {
    final List<PodEvent> events = new CopyOnWriteArrayList<>();
    final Map<String, Pod> latest = new ConcurrentHashMap<>();
    final List<Pod> history = new CopyOnWriteArrayList<>();
    final Map<String, List<Path>> logs = new ConcurrentHashMap<>();

    @Override
    public void event(PodEvent event) {
        events.add(event);
        System.out.println("event " + event.pod() + "/" + event.container() + " " + event.reason() + ": " + event.message());
    }

    @Override
    public void statusChanged(Pod pod) {
        latest.put(pod.getMetadata().getUid(), pod);
        System.out.println("status " + pod.getMetadata().getName() + " " + pod.getStatus().getPhase() + " "
                + pod.getStatus().getInitContainerStatuses().stream().map(s -> s.getName() + "=" + s.getState()).toList() + " "
                + pod.getStatus().getContainerStatuses().stream().map(s -> s.getName() + "=" + s.getState()).toList());
        history.add(pod);
    }

    @Override
    public void logStarted(Pod pod, String container, int attempt, Path logPath) {
        logs.computeIfAbsent(pod.getMetadata().getUid() + "/" + container, k -> new CopyOnWriteArrayList<>()).add(logPath);
    }

    List<PodEvent> events(String uid, String reason) {
        return events.stream().filter(e -> e.podUid().equals(uid) && e.reason().equals(reason)).toList();
    }
}
