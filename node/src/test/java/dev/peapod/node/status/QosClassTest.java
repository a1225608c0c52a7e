package dev.peapod.node.status;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/ as a table. */
class QosClassTest {

    /** A container with resources written {@code "requests cpu=100m memory=64Mi; limits cpu=1"}. */
    private static Container c(String name, String resources) {
        var b = new ResourceRequirementsBuilder();
        for (String part : resources.split(";")) {
            part = part.strip();
            if (part.isEmpty()) continue;
            String[] words = part.split("\\s+");
            Map<String, Quantity> q = new HashMap<>();
            for (int i = 1; i < words.length; i++) {
                String[] kv = words[i].split("=");
                q.put(kv[0], new Quantity(kv[1]));
            }
            if (words[0].equals("requests")) b.withRequests(q);
            else b.withLimits(q);
        }
        return new ContainerBuilder().withName(name).withImage("busybox").withResources(b.build()).build();
    }

    private static Pod pod(List<Container> init, List<Container> regular) {
        return new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().withInitContainers(init).withContainers(regular).endSpec().build();
    }

    static Stream<Arguments> cases() {
        String full = "requests cpu=500m memory=128Mi; limits cpu=500m memory=128Mi";
        return Stream.of(
                arguments("no resources anywhere", pod(List.of(), List.of(c("a", ""), c("b", ""))),
                        QosClass.BEST_EFFORT),
                arguments("equal requests and limits everywhere", pod(List.of(c("i", full)),
                        List.of(c("a", full), c("b", full))), QosClass.GUARANTEED),
                arguments("limits only: requests default to limits",
                        pod(List.of(), List.of(c("a", "limits cpu=1 memory=1Gi"))), QosClass.GUARANTEED),
                arguments("the same amount written differently still matches",
                        pod(List.of(), List.of(c("a", "requests cpu=1000m memory=1024Mi; limits cpu=1 memory=1Gi"))),
                        QosClass.GUARANTEED),
                arguments("requests below limits", pod(List.of(),
                        List.of(c("a", "requests cpu=100m memory=64Mi; limits cpu=1 memory=1Gi"))), QosClass.BURSTABLE),
                arguments("one container without resources", pod(List.of(), List.of(c("a", full), c("b", ""))),
                        QosClass.BURSTABLE),
                arguments("an init container without limits spoils Guaranteed",
                        pod(List.of(c("i", "requests cpu=100m")), List.of(c("a", full))), QosClass.BURSTABLE),
                arguments("a memory request only", pod(List.of(), List.of(c("a", "requests memory=64Mi"))),
                        QosClass.BURSTABLE),
                arguments("only a cpu limit", pod(List.of(), List.of(c("a", "limits cpu=1"))), QosClass.BURSTABLE),
                arguments("zero quantities count as none", pod(List.of(), List.of(c("a", "requests cpu=0 memory=0"))),
                        QosClass.BEST_EFFORT),
                arguments("other resources do not count",
                        pod(List.of(), List.of(c("a", "requests ephemeral-storage=1Gi; limits ephemeral-storage=1Gi"))),
                        QosClass.BEST_EFFORT),
                arguments("pod-level resources decide alone",
                        new PodBuilder(pod(List.of(), List.of(c("a", ""))))
                                .editSpec().withNewResources().addToLimits("cpu", new Quantity("1"))
                                .addToLimits("memory", new Quantity("1Gi")).endResources().endSpec().build(),
                        QosClass.GUARANTEED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void classifies(String name, Pod pod, QosClass expected) {
        assertThat(QosClass.of(pod)).isEqualTo(expected);
    }

    @Test
    void apiNamesAreTheKubernetesValues() {
        assertThat(QosClass.BEST_EFFORT.apiName()).isEqualTo("BestEffort");
        assertThat(QosClass.BURSTABLE.apiName()).isEqualTo("Burstable");
        assertThat(QosClass.GUARANTEED.apiName()).isEqualTo("Guaranteed");
    }
}
