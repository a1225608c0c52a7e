package dev.peapod.api;

/**
 * One validation error in Kubernetes' shape ({@code k8s.io/apimachinery/pkg/util/validation/field}):
 * {@code toString()} reads exactly as kube-apiserver prints it, e.g.
 * {@code spec.containers[1].name: Duplicate value: "app"} or
 * {@code spec.containers[0].image: Required value}.
 *
 * @param path   field path ({@code spec.containers[1].name})
 * @param type   the error type
 * @param value  the offending value, or null (Required/Forbidden/TooMany print none)
 * @param detail extra explanation, or null
 */
public record FieldError(String path, Type type, Object value, String detail) {

    public enum Type {
        REQUIRED("Required value"), INVALID("Invalid value"), DUPLICATE("Duplicate value"),
        NOT_SUPPORTED("Unsupported value"), FORBIDDEN("Forbidden"), TOO_LONG("Too long"),
        TOO_MANY("Too many"), NOT_FOUND("Not found");

        public final String text;
        Type(String text) { this.text = text; }
    }
}
