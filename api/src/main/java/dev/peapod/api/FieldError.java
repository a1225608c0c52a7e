package dev.peapod.api;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One validation error in Kubernetes' shape ({@code k8s.io/apimachinery/pkg/util/validation/field}):
 * {@code toString()} reads exactly as kube-apiserver prints it, e.g.
 * {@code spec.containers[1].name: Duplicate value: "app"} or
 * {@code spec.containers[0].image: Required value}.
 *
 * @param path   field path ({@code spec.containers[1].name})
 * @param type   the error type
 * @param value  the offending value, or null (Required/Forbidden/TooLong/Internal print none)
 * @param detail extra explanation, or null
 */
public record FieldError(String path, Type type, Object value, String detail) {

    public enum Type {
        REQUIRED("Required value"), INVALID("Invalid value"), DUPLICATE("Duplicate value"),
        NOT_SUPPORTED("Unsupported value"), FORBIDDEN("Forbidden"), TOO_LONG("Too long"),
        TOO_MANY("Too many"), NOT_FOUND("Not found"), INTERNAL("Internal error");

        public final String text;
        Type(String text) { this.text = text; }
    }

    public FieldError {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
    }

    public static FieldError required(String path, String detail) {
        return new FieldError(path, Type.REQUIRED, null, detail);
    }

    public static FieldError invalid(String path, Object value, String detail) {
        return new FieldError(path, Type.INVALID, value, detail);
    }

    public static FieldError duplicate(String path, Object value) {
        return new FieldError(path, Type.DUPLICATE, value, null);
    }

    public static FieldError notFound(String path, Object value) {
        return new FieldError(path, Type.NOT_FOUND, value, null);
    }

    public static FieldError forbidden(String path, String detail) {
        return new FieldError(path, Type.FORBIDDEN, null, detail);
    }

    /** Like {@code field.NotSupported}: the detail lists the valid values, each Go-quoted, in the given order. */
    public static FieldError notSupported(String path, Object value, List<String> validValues) {
        String detail = validValues.isEmpty() ? null : validValues.stream()
                .map(GoText::quote).collect(Collectors.joining(", ", "supported values: ", ""));
        return new FieldError(path, Type.NOT_SUPPORTED, value, detail);
    }

    public static FieldError tooLong(String path, int maxBytes) {
        return new FieldError(path, Type.TOO_LONG, null, "must have at most " + maxBytes + " bytes");
    }

    public static FieldError tooMany(String path, int actual, int max) {
        return new FieldError(path, Type.TOO_MANY, actual, "must have at most " + max + " items");
    }

    /**
     * Same text as {@code (*field.Error).Error()}: {@code <path>: <type>[: <value>][: <detail>]}.
     * Required, Forbidden, TooLong and Internal never print a value; TooMany without a count prints
     * none (Go's {@code omitValue}); a null value prints as {@code "null"}, exactly as Go does.
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(path).append(": ").append(type.text);
        switch (type) {
            case REQUIRED, FORBIDDEN, TOO_LONG, INTERNAL -> { }
            case TOO_MANY -> { if (value != null) s.append(": ").append(GoText.value(value)); }
            default -> s.append(": ").append(GoText.value(value));
        }
        if (detail != null && !detail.isEmpty()) {
            s.append(": ").append(detail);
        }
        return s.toString();
    }
}
