package dev.peapod.node.status;

import dev.peapod.node.model.ContainerKind;
import dev.peapod.node.model.ObservedContainer;
import dev.peapod.node.model.ObservedPod;
import dev.peapod.node.model.ObservedSandbox;
import dev.peapod.node.model.RuntimeState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The base pod — init container {@code init-db}, native sidecar {@code proxy}, regular
 * containers {@code web} and {@code app} (declared in that order) — and compact builders and
 * renderings of observed and computed state.
 */
final class StatusFixtures {

    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    static final Instant NOW = T0.plusSeconds(60);

    private StatusFixtures() {}

    static Pod pod(String restartPolicy) {
        return new PodBuilder()
                .withNewMetadata().withName("shop").withNamespace("default").withUid("uid-1").withGeneration(3L)
                .endMetadata()
                .withNewSpec().withRestartPolicy(restartPolicy)
                .addNewInitContainer().withName("init-db").withImage("busybox:1.36").endInitContainer()
                .addNewInitContainer().withName("proxy").withImage("envoy:1.30").withRestartPolicy("Always")
                .endInitContainer()
                .addNewContainer().withName("web").withImage("nginx:1.27").endContainer()
                .addNewContainer().withName("app").withImage("busybox:1.36").endContainer()
                .endSpec().build();
    }

    static ContainerKind kind(String name) {
        return switch (name) {
            case "init-db" -> ContainerKind.INIT;
            case "proxy" -> ContainerKind.SIDECAR;
            default -> ContainerKind.REGULAR;
        };
    }

    static String image(String name) {
        return switch (name) {
            case "init-db", "app" -> "busybox:1.36";
            case "proxy" -> "envoy:1.30";
            default -> "nginx:1.27";
        };
    }

    static ObservedContainer running(String name, int attempt) {
        return new ObservedContainer(name, kind(name), name + "-" + attempt, attempt, image(name),
                "sha256:" + name, new RuntimeState.Running(T0.plusSeconds(10L + attempt)));
    }

    static ObservedContainer exited(String name, int attempt, int code) {
        String reason = code == 0 ? "Completed" : "Error";
        return new ObservedContainer(name, kind(name), name + "-" + attempt, attempt, image(name),
                "sha256:" + name, new RuntimeState.Exited(code, T0.plusSeconds(10L + attempt),
                T0.plusSeconds(20L + attempt), reason, null));
    }

    static ObservedContainer created(String name, int attempt) {
        return new ObservedContainer(name, kind(name), name + "-" + attempt, attempt, image(name),
                "sha256:" + name, new RuntimeState.Created(T0.plusSeconds(5)));
    }

    /** A pod whose sandbox is ready, with the given attempts. */
    static ObservedPod observed(ObservedContainer... containers) {
        return new ObservedPod(Optional.of(new ObservedSandbox("sb-1", true, T0)), Arrays.asList(containers));
    }

    /** init-db done, proxy, web and app running. */
    static ObservedPod allRunning() {
        return observed(exited("init-db", 0, 0), running("proxy", 0), running("web", 0), running("app", 0));
    }

    /** Replaces or adds attempts in a base observation. */
    static ObservedPod with(ObservedPod base, ObservedContainer... replacements) {
        List<ObservedContainer> out = new ArrayList<>(base.containers());
        for (ObservedContainer r : replacements) {
            out.removeIf(c -> c.name().equals(r.name()) && c.attempt() == r.attempt());
            out.add(r);
        }
        return new ObservedPod(base.sandbox(), out);
    }

    /** Drops every attempt of the named containers. */
    static ObservedPod without(ObservedPod base, String... names) {
        var drop = List.of(names);
        return new ObservedPod(base.sandbox(),
                base.containers().stream().filter(c -> !drop.contains(c.name())).toList());
    }

    /** {@code Type=Status} or {@code Type=Status/Reason}, in the order the status lists them. */
    static String conditions(PodStatus s) {
        return s.getConditions().stream().map(StatusFixtures::condition).collect(Collectors.joining(" "));
    }

    static String condition(PodCondition c) {
        return c.getType() + "=" + c.getStatus() + (c.getReason() == null ? "" : "/" + c.getReason());
    }

    /**
     * {@code name:state} for init then regular statuses, in list order; state is {@code running},
     * {@code waiting(Reason)} or {@code terminated(code Reason)}; {@code +} marks a ready container.
     */
    static String containers(PodStatus s) {
        return Stream.concat(s.getInitContainerStatuses().stream(), s.getContainerStatuses().stream())
                .map(StatusFixtures::container).collect(Collectors.joining(" "));
    }

    static String container(ContainerStatus c) {
        var st = c.getState();
        String state;
        if (st.getRunning() != null) state = "running";
        else if (st.getTerminated() != null) {
            state = "terminated(" + st.getTerminated().getExitCode() + " " + st.getTerminated().getReason() + ")";
        } else state = "waiting(" + st.getWaiting().getReason() + ")";
        return c.getName() + ":" + state + (Boolean.TRUE.equals(c.getReady()) ? "+" : "");
    }

    static PodCondition find(PodStatus s, String type) {
        return s.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    static ContainerStatus status(PodStatus s, String name) {
        return Stream.concat(s.getInitContainerStatuses().stream(), s.getContainerStatuses().stream())
                .filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }
}
