package dev.peapod.node.resize;

import static dev.peapod.node.spec.CgroupPolicyTest.c;
import static dev.peapod.node.spec.CgroupPolicyTest.pod;
import static dev.peapod.node.spec.CgroupPolicyTest.res;
import static dev.peapod.node.spec.CgroupPolicyTest.sidecar;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peapod.api.PodDefaults;
import io.fabric8.kubernetes.api.model.ContainerResizePolicy;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** kube-apiserver's resize validation, from one Burstable base pod and one change per case. */
class ResizeValidatorTest {

    static Pod base(String restartPolicy) {
        var app = c("app", "cpu=250m,memory=32Mi", "cpu=500m,memory=64Mi");
        // RestartContainer is invalid in a Never pod (pod validation).
        if (!"Never".equals(restartPolicy)) app.setResizePolicy(List.of(new ContainerResizePolicy("memory", "RestartContainer")));
        Pod p = pod(List.of(c("init", "cpu=100m", "cpu=100m"), sidecar("proxy", "cpu=100m", "")),
                List.of(app, c("best", "", "")));
        p.getSpec().setRestartPolicy(restartPolicy);
        PodDefaults.apply(p);
        return p;
    }

    static Arguments row(String name, String restartPolicy, Map<String, ResourceRequirements> change, List<String> errors) {
        return Arguments.of(name, restartPolicy, change, errors);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                row("raising the cpu limit is fine", "Always", Map.of("app", res("cpu=250m,memory=32Mi", "cpu=1,memory=64Mi")), List.of()),
                row("lowering memory is fine (RestartContainer)", "Always",
                        Map.of("app", res("cpu=250m,memory=16Mi", "cpu=500m,memory=24Mi")), List.of()),
                row("a sidecar may be resized", "Always", Map.of("proxy", res("cpu=200m", "")), List.of()),
                row("an init container may not", "Always", Map.of("init", res("cpu=200m", "cpu=200m")),
                        List.of("spec.initContainers[0].resources: Forbidden: resources for non-sidecar init containers are immutable")),
                row("a limit may not be removed", "Always", Map.of("app", res("cpu=250m,memory=32Mi", "cpu=500m")),
                        List.of("spec.containers[0].resources.limits[memory]: Forbidden: resource limits cannot be removed")),
                row("a request may not be removed", "Always", Map.of("app", res("memory=32Mi", "cpu=500m,memory=64Mi")),
                        List.of("spec.containers[0].resources.requests[cpu]: Forbidden: resource requests cannot be removed")),
                row("only cpu and memory change", "Always",
                        Map.of("app", res("cpu=250m,memory=32Mi,ephemeral-storage=1Gi", "cpu=500m,memory=64Mi")),
                        List.of("spec.containers[0].resources.requests[ephemeral-storage]: Forbidden: only cpu and memory resources are mutable")),
                row("the request stays within the limit", "Always", Map.of("app", res("cpu=1,memory=32Mi", "cpu=500m,memory=64Mi")),
                        List.of("spec.containers[0].resources.requests: Invalid value: \"1\": must be less than or equal to cpu limit of 500m")),
                row("a BestEffort container asking memory makes the pod no other class, still Burstable", "Always",
                        Map.of("best", res("memory=8Mi", "")), List.of()),
                row("NotRequired in a Never pod is fine", "Never", Map.of("best", res("cpu=100m", "")), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void validates(String name, String restartPolicy, Map<String, ResourceRequirements> change, List<String> errors) {
        Pod before = base(restartPolicy);
        assertThat(ResizeValidator.validate(before, ResizePlanner.withResources(before, change)))
                .extracting(Object::toString).containsExactlyElementsOf(errors);
    }

    @org.junit.jupiter.api.Test
    void theQosClassMayNotChange() {
        Pod g = pod(List.of(), List.of(c("app", "cpu=500m,memory=64Mi", "cpu=500m,memory=64Mi")));
        PodDefaults.apply(g);
        var errs = ResizeValidator.validate(g, ResizePlanner.withResources(g,
                Map.of("app", res("cpu=250m,memory=64Mi", "cpu=500m,memory=64Mi"))));
        assertThat(errs).extracting(Object::toString)
                .containsExactly("spec: Invalid value: \"Guaranteed\": Pod QOS Class may not change as a result of resizing");
        // Both moved together: still Guaranteed.
        assertThat(ResizeValidator.validate(g, ResizePlanner.withResources(g,
                Map.of("app", res("cpu=1,memory=64Mi", "cpu=1,memory=64Mi"))))).isEmpty();
    }
}
