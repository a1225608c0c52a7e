package dev.peapod.node.model;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Everything the runtime reports about one pod: its sandbox and every retained container
 * attempt (the latest and, like kubelet, at least the previous one per name so that
 * {@code lastState} can be reported).
 */
public record ObservedPod(Optional<ObservedSandbox> sandbox, List<ObservedContainer> containers) {

    public ObservedPod {
        containers = List.copyOf(containers);
    }

    public static ObservedPod empty() { return new ObservedPod(Optional.empty(), List.of()); }

    /** The latest attempt of the named container. */
    public Optional<ObservedContainer> latest(String name) {
        return containers.stream().filter(c -> c.name().equals(name))
                .max(Comparator.comparingInt(ObservedContainer::attempt));
    }

    /** The attempt before the latest one, for {@code lastState}. */
    public Optional<ObservedContainer> previous(String name) {
        var latest = latest(name);
        return latest.flatMap(l -> containers.stream()
                .filter(c -> c.name().equals(name) && c.attempt() < l.attempt())
                .max(Comparator.comparingInt(ObservedContainer::attempt)));
    }

    public boolean sandboxReady() { return sandbox.map(ObservedSandbox::ready).orElse(false); }
}
