package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.api.FieldError;

import java.util.List;

/**
 * A request refused with a {@code metav1.Status}: the one place errors become HTTP codes and
 * reasons (k8s.io/apimachinery/pkg/api/errors). kubectl prints {@code Error from server (<reason>): <message>}.
 */
final class ApiException extends RuntimeException {
    final int code;
    final String reason;
    final ObjectNode details;
    /** {@code metadata.continue} of the Status: the token that continues an expired list inconsistently. */
    private String listContinue;

    ApiException(int code, String reason, String message, ObjectNode details) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.details = details;
    }

    ObjectNode status() {
        var s = Json.object().put("kind", "Status").put("apiVersion", "v1");
        var meta = s.putObject("metadata");
        if (listContinue != null) meta.put("continue", listContinue);
        s.put("status", "Failure").put("message", getMessage()).put("reason", reason);
        if (details != null) s.set("details", details);
        s.put("code", code);
        return s;
    }

    private static ObjectNode details(ResourceType type, String name) {
        var d = Json.object();
        if (name != null) d.put("name", name);
        d.put("kind", type.name());
        return d;
    }

    static ApiException notFound(ResourceType type, String name) {
        return new ApiException(404, "NotFound", type.name() + " \"" + name + "\" not found", details(type, name));
    }

    static ApiException alreadyExists(ResourceType type, String name) {
        return new ApiException(409, "AlreadyExists", type.name() + " \"" + name + "\" already exists", details(type, name));
    }

    /** The message kubectl users know from optimistic-concurrency failures. */
    static ApiException conflict(ResourceType type, String name, String why) {
        return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + type.name() + " \"" + name + "\": " + why,
                details(type, name));
    }

    /** 422 with one cause per field error, as {@code errors.NewInvalid} builds it. */
    static ApiException invalid(ResourceType type, String name, List<FieldError> errors) {
        var d = details(type, name);
        d.put("kind", type.kind());
        var causes = d.putArray("causes");
        var text = new StringBuilder();
        for (FieldError e : errors) {
            String full = e.toString();
            String message = full.substring(Math.min(full.length(), e.path().length() + 2));
            causes.addObject().put("reason", causeType(e.type())).put("message", message).put("field", e.path());
            text.append(text.isEmpty() ? "" : ", ").append(full);
        }
        String msg = type.kind() + " \"" + name + "\" is invalid: " + (errors.size() == 1 ? text : "[" + text + "]");
        return new ApiException(422, "Invalid", msg, d);
    }

    /** metav1.CauseType of a field error (k8s.io/apimachinery/pkg/util/validation/field ErrorType). */
    private static String causeType(FieldError.Type t) {
        return switch (t) {
            case REQUIRED -> "FieldValueRequired";
            case INVALID -> "FieldValueInvalid";
            case DUPLICATE -> "FieldValueDuplicate";
            case NOT_SUPPORTED -> "FieldValueNotSupported";
            case FORBIDDEN -> "FieldValueForbidden";
            case TOO_LONG -> "FieldValueTooLong";
            case TOO_MANY -> "FieldValueTooMany";
            case NOT_FOUND -> "FieldValueNotFound";
            case INTERNAL -> "InternalError";
        };
    }

    static ApiException badRequest(String message) { return new ApiException(400, "BadRequest", message, null); }

    static ApiException unauthorized() { return new ApiException(401, "Unauthorized", "Unauthorized", null); }

    static ApiException methodNotAllowed(String method) {
        return new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource (" + method + ")", null);
    }

    static ApiException notFoundPath(String path) {
        return new ApiException(404, "NotFound", "the server could not find the requested resource (" + path + ")", null);
    }

    static ApiException gone(String message) { return new ApiException(410, "Expired", message, null); }

    /** 410 Expired for a continue token whose revision is gone, with the token that continues at the latest one. */
    static ApiException expiredContinue(String message, String continueToken) {
        var e = gone(message);
        e.listContinue = continueToken;
        return e;
    }

    static ApiException unsupportedMediaType(String type) {
        return new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: "
                + "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got " + type + ")", null);
    }

    static ApiException internal(String message) { return new ApiException(500, "InternalError", message, null); }
}
