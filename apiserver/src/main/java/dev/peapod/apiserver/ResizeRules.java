package dev.peapod.apiserver;

import dev.peapod.api.FieldError;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.List;

/**
 * The checks of a pod {@code resize} (KEP-1287) beyond generic pod validation — no QoS class change,
 * no removed request or limit, only cpu and memory — given by the node, which owns them
 * ({@code ResizeValidator}); the API server stores only resizes they accept, with their errors as a 422.
 */
@FunctionalInterface
public interface ResizeRules {
    List<FieldError> validate(Pod current, Pod resized);

    /** No checks beyond generic validation (tests of the API server alone). */
    ResizeRules NONE = (current, resized) -> List.of();
}
