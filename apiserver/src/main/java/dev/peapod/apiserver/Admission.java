package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.api.FieldError;
import dev.peapod.api.ManifestException;
import dev.peapod.api.Manifests;
import dev.peapod.api.PodDefaults;
import dev.peapod.api.PodValidator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What happens to an object between the request body and the store: strict decoding, system
 * metadata (uid, creationTimestamp, generateName), kube-apiserver's defaulting and validation for
 * Pods (the api module's {@link PodDefaults} and {@link PodValidator}), the pod update rules, and
 * the one-node "scheduling" (every pod is bound to this node on create, as there is no scheduler).
 */
final class Admission {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** k8s.io/apiserver/pkg/storage/names: 5 characters from an alphabet without vowels and look-alikes. */
    private static final String NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private final String nodeName;

    private final ResizeRules resizeRules;

    Admission(String nodeName) { this(nodeName, ResizeRules.NONE); }

    /** The node pods are bound to. */
    String nodeName() { return nodeName; }

    Admission(String nodeName, ResizeRules resizeRules) {
        this.nodeName = nodeName;
        this.resizeRules = resizeRules;
    }

    /** The object to store for a create of {@code type} in {@code namespace} ("" when cluster-scoped). */
    ObjectNode create(ResourceType type, String namespace, JsonNode body, Instant now) {
        ObjectNode o = checkKind(type, body);
        ObjectNode meta = Json.meta(o);
        if (meta.hasNonNull("resourceVersion") && !meta.get("resourceVersion").asText().isEmpty()) {
            throw ApiException.badRequest("resourceVersion should not be set on objects to be created");
        }
        setNamespace(type, namespace, meta);
        String name = meta.path("name").asText("");
        if (name.isEmpty() && !meta.path("generateName").asText("").isEmpty()) {
            var suffix = new StringBuilder();
            for (int i = 0; i < 5; i++) suffix.append(NAME_ALPHABET.charAt(RANDOM.nextInt(NAME_ALPHABET.length())));
            meta.put("name", meta.get("generateName").asText() + suffix);
        }
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", Json.time(now));
        for (String f : List.of("deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink")) meta.remove(f);
        ObjectNode out = switch (type.name()) {
            case "pods" -> createPod(o);
            case "configmaps", "secrets" -> decodeStrict(type, o);
            case "persistentvolumeclaims" -> Claims.create(o);
            default -> {
                checkName(type, o, type == ResourceType.NAMESPACES ? DNS_LABEL : DNS_SUBDOMAIN);
                yield o;
            }
        };
        if (type == ResourceType.NAMESPACES) {
            out.putObject("spec").putArray("finalizers").add("kubernetes");
            out.putObject("status").put("phase", "Active");
        }
        return out;
    }

    private ObjectNode createPod(ObjectNode o) {
        // ServiceAccount admission: every pod runs as a service account, "default" unless named.
        var spec = o.get("spec") instanceof ObjectNode s ? s : o.putObject("spec");
        if (spec.path("serviceAccountName").asText("").isEmpty()) {
            spec.put("serviceAccountName", spec.path("serviceAccount").asText("default").isEmpty() ? "default" : spec.path("serviceAccount").asText("default"));
        }
        spec.put("serviceAccount", spec.get("serviceAccountName").asText());
        o.remove("status");
        Pod pod = decodePod(o);
        PodDefaults.apply(pod);
        List<FieldError> errors = PodValidator.validate(pod);
        if (!errors.isEmpty()) throw ApiException.invalid(ResourceType.PODS, pod.getMetadata().getName(), errors);
        ObjectNode out = (ObjectNode) Json.parse(Manifests.toJson(pod));
        ObjectNode outSpec = (ObjectNode) out.get("spec");
        if (outSpec.path("nodeName").asText("").isEmpty() && outSpec.path("schedulingGates").isEmpty()) outSpec.put("nodeName", nodeName);
        out.putObject("status").put("phase", "Pending");
        // kube-apiserver's pod strategy (PrepareForCreate, applySchedulingGatedCondition): a gated pod
        // starts with PodScheduled=False, SchedulingGated, which kubectl shows as its STATUS.
        if (!outSpec.path("schedulingGates").isEmpty()) {
            Scheduler.setScheduled(out, false, "SchedulingGated", "Scheduling is blocked due to non-empty scheduling gates", java.time.Instant.now());
        }
        // Pod generation (KEP-5067, Kubernetes 1.33+): 1 at creation, whatever the client sent.
        Json.meta(out).put("generation", 1);
        return out;
    }

    /**
     * The pod's {@code metadata.generation} after an update: the stored one, plus one when the spec changed
     * (an image, activeDeadlineSeconds, tolerations, or a resize) — KEP-5067; the client cannot set it.
     */
    private static void generation(JsonNode old, ObjectNode out) {
        long was = old.at("/metadata/generation").asLong(1);
        Json.meta(out).put("generation", old.path("spec").equals(out.path("spec")) ? was : was + 1);
    }

    /**
     * An update (PUT or the result of a PATCH) of {@code old}: system metadata and, for kinds with a
     * status subresource, the status are kept from the stored object; pods may change only what
     * kube-apiserver lets them change.
     */
    ObjectNode update(ResourceType type, JsonNode old, JsonNode body) {
        ObjectNode o = checkKind(type, body);
        ObjectNode meta = Json.meta(o);
        JsonNode oldMeta = old.path("metadata");
        String name = oldMeta.path("name").asText();
        if (!name.equals(meta.path("name").asText(name))) {
            throw ApiException.badRequest("the name of the object (" + meta.path("name").asText() + ") does not match the name on the URL (" + name + ")");
        }
        for (String f : List.of("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generateName")) {
            if (oldMeta.has(f)) meta.set(f, oldMeta.get(f).deepCopy());
            else meta.remove(f);
        }
        if (type.hasStatus()) {
            if (old.has("status")) o.set("status", old.get("status").deepCopy());
            else o.remove("status");
        }
        return switch (type.name()) {
            case "pods" -> updatePod(old, o);
            case "configmaps", "secrets" -> decodeStrict(type, o);
            case "persistentvolumeclaims" -> Claims.update(old, o);
            case "namespaces" -> {
                if (old.has("spec")) o.set("spec", old.get("spec").deepCopy());
                yield o;
            }
            case "nodes" -> NodeUpdate.update(o);
            default -> o;
        };
    }

    /**
     * A write of the pods/resize subresource (KEP-1287, GA in 1.35): only the containers' (and sidecars')
     * {@code resources} are taken from the request — everything else stays as stored — and the result
     * must pass pod validation and the node's resize rules. The kubelet (the pod sync) then applies it.
     */
    ObjectNode updateResize(JsonNode old, JsonNode body) {
        ObjectNode req = checkKind(ResourceType.PODS, body);
        ObjectNode out = ((ObjectNode) old).deepCopy();
        var errors = new java.util.ArrayList<FieldError>();
        for (String list : List.of("initContainers", "containers")) {
            JsonNode want = req.path("spec").path(list);
            JsonNode have = out.path("spec").path(list);
            for (int i = 0; i < have.size(); i++) {
                ObjectNode c = (ObjectNode) have.get(i);
                JsonNode w = want.get(i);
                if (w == null || !c.path("name").equals(w.path("name"))) {
                    errors.add(FieldError.forbidden("spec." + list + "[" + i + "]", "containers may not be added, removed or reordered by a resize"));
                    continue;
                }
                if (w.has("resources")) c.set("resources", w.get("resources").deepCopy());
                else c.remove("resources");
            }
            if (want.size() > have.size()) errors.add(FieldError.forbidden("spec." + list, "containers may not be added, removed or reordered by a resize"));
        }
        if (!errors.isEmpty()) throw ApiException.invalid(ResourceType.PODS, out.at("/metadata/name").asText(), errors);
        Pod current = decodePod(((ObjectNode) old).deepCopy());
        Pod resized = decodePod(out.deepCopy());
        PodDefaults.apply(resized);
        errors.addAll(PodValidator.validate(resized));
        errors.addAll(resizeRules.validate(current, resized));
        if (!errors.isEmpty()) throw ApiException.invalid(ResourceType.PODS, resized.getMetadata().getName(), errors);
        ObjectNode result = (ObjectNode) Json.parse(Manifests.toJson(resized));
        generation(old, result);
        return result;
    }

    /** PUT of the status subresource: only the status changes. */
    ObjectNode updateStatus(ResourceType type, JsonNode old, JsonNode body) {
        ObjectNode o = ((ObjectNode) old).deepCopy();
        checkKind(type, body);
        if (body.has("status")) o.set("status", body.get("status").deepCopy());
        else o.remove("status");
        return o;
    }

    private ObjectNode updatePod(JsonNode old, ObjectNode o) {
        Pod pod = decodePod(o);
        PodDefaults.apply(pod);
        ObjectNode out = (ObjectNode) Json.parse(Manifests.toJson(pod));
        // ValidatePodUpdate: everything in spec is immutable but these (k8s.io/kubernetes pkg/apis/core/validation).
        List<FieldError> gates = onlyDeletedSchedulingGates(old.path("spec").path("schedulingGates"), out.path("spec").path("schedulingGates"));
        if (!gates.isEmpty()) throw ApiException.invalid(ResourceType.PODS, pod.getMetadata().getName(), gates);
        if (!mutablePart(old.path("spec")).equals(mutablePart(out.path("spec")))) {
            throw ApiException.invalid(ResourceType.PODS, pod.getMetadata().getName(), List.of(FieldError.forbidden("spec",
                    "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,"
                            + "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
                            + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)")));
        }
        List<FieldError> errors = PodValidator.validate(pod);
        if (!errors.isEmpty()) throw ApiException.invalid(ResourceType.PODS, pod.getMetadata().getName(), errors);
        generation(old, out);
        return out;
    }

    /** The spec without the fields a pod update may change. */
    private static JsonNode mutablePart(JsonNode spec) {
        ObjectNode s = spec.deepCopy();
        for (String list : List.of("containers", "initContainers")) {
            for (JsonNode c : s.path(list)) ((ObjectNode) c).remove("image");
        }
        s.remove("activeDeadlineSeconds");
        s.remove("tolerations");
        s.remove("schedulingGates"); // removals only, checked by onlyDeletedSchedulingGates
        return s;
    }

    /**
     * ValidatePodUpdate's validateOnlyDeletedSchedulingGates: scheduling gates may be removed after
     * creation, in any order, but none added
     * (https://kubernetes.io/docs/concepts/scheduling-eviction/pod-scheduling-readiness/).
     */
    private static List<FieldError> onlyDeletedSchedulingGates(JsonNode before, JsonNode after) {
        var had = new java.util.HashSet<String>();
        before.forEach(g -> had.add(g.path("name").asText()));
        var errors = new java.util.ArrayList<FieldError>();
        for (JsonNode g : after) {
            if (!had.contains(g.path("name").asText())) {
                errors.add(FieldError.forbidden("spec.schedulingGates", "only deletion is allowed, but found new scheduling gate '" + g.path("name").asText() + "'"));
            }
        }
        return errors;
    }

    private static ObjectNode checkKind(ResourceType type, JsonNode body) {
        if (!(body instanceof ObjectNode o)) throw ApiException.badRequest("the request body must be a JSON object");
        String kind = o.path("kind").asText(""), apiVersion = o.path("apiVersion").asText("");
        if (!kind.isEmpty() && !kind.equals(type.kind()) || !apiVersion.isEmpty() && !apiVersion.equals("v1")) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion + ") does not match the expected API version (v1)"
                    + " or the kind (" + kind + ") is not " + type.kind());
        }
        o.put("kind", type.kind()).put("apiVersion", "v1");
        return o.deepCopy();
    }

    private static void setNamespace(ResourceType type, String namespace, ObjectNode meta) {
        if (!type.namespaced()) {
            meta.remove("namespace");
            return;
        }
        String given = meta.path("namespace").asText("");
        if (!given.isEmpty() && !given.equals(namespace)) {
            throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        meta.put("namespace", namespace);
    }

    private static void checkName(ResourceType type, ObjectNode o, Pattern format) {
        String name = o.path("metadata").path("name").asText("");
        if (name.isEmpty()) {
            throw ApiException.invalid(type, "", List.of(FieldError.required("metadata.name", "name or generateName is required")));
        }
        if (!format.matcher(name).matches() || name.length() > 253) {
            throw ApiException.invalid(type, name, List.of(FieldError.invalid("metadata.name", name,
                    "a lowercase RFC 1123 " + (format == DNS_LABEL ? "label" : "subdomain") + " must consist of lower case alphanumeric characters, '-' or '.'")));
        }
    }

    /**
     * The warnings for a pod just created: kube-apiserver's ({@code PodWarnings}) and {@code peapod lint}'s
     * warning-level findings in full, the info-level ones counted on one line — the same as {@code peapod up} prints.
     */
    static List<String> warnings(JsonNode stored) {
        Pod pod;
        try {
            pod = decodePod(((ObjectNode) stored).deepCopy());
        } catch (RuntimeException e) {
            return List.of();
        }
        var out = new java.util.ArrayList<>(dev.peapod.api.PodWarnings.warnings(pod));
        var lint = dev.peapod.api.PodLinter.Summary.of(dev.peapod.api.PodLinter.lint(List.of(pod)));
        for (var f : lint.warnings()) out.add(f + " (fix: " + f.fix() + ")");
        if (lint.infoCount() != null) out.add("peapod lint: " + lint.infoCount() + "; `peapod lint FILE` explains them");
        return out;
    }

    private static Pod decodePod(ObjectNode o) {
        return (Pod) decode(ResourceType.PODS, o);
    }

    private static ObjectNode decodeStrict(ResourceType type, ObjectNode o) {
        HasMetadata typed = decode(type, o);
        ObjectNode out = (ObjectNode) Json.parse(Manifests.toJson(typed));
        if (type == ResourceType.SECRETS) {
            if (!out.has("type")) out.put("type", "Opaque");
            // stringData is write-only: merged into data, base64-encoded, overriding (Secret conversion in kube-apiserver).
            if (out.remove("stringData") instanceof ObjectNode stringData) {
                ObjectNode data = out.get("data") instanceof ObjectNode d ? d : out.putObject("data");
                for (var e : stringData.properties()) {
                    data.put(e.getKey(), java.util.Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                }
            }
        }
        return out;
    }

    /** Strict decoding through the api module's codec, as kube-apiserver under {@code fieldValidation=Strict}. */
    static HasMetadata decode(ResourceType type, ObjectNode o) {
        List<HasMetadata> objects;
        try {
            objects = Manifests.parse(Json.write(o), "request");
        } catch (ManifestException e) {
            if (!e.errors().isEmpty()) throw ApiException.invalid(type, o.at("/metadata/name").asText(), e.errors());
            String msg = e.getMessage().replaceFirst("^request: (document 1 \\(line 1\\): )?", "");
            throw ApiException.badRequest(type.kind() + " in version \"v1\" cannot be handled as a " + type.kind() + ": " + msg);
        }
        return objects.getFirst();
    }
}
