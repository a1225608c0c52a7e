package dev.peapod.api;

import io.fabric8.kubernetes.api.model.ObjectMeta;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code ValidateObjectMeta} for a namespaced object whose name must be a DNS-1123 subdomain
 * (apimachinery {@code api/validation/objectmeta.go}). Map entries are checked in key order so the
 * error list is deterministic (Go iterates maps in random order).
 */
final class MetaValidator {
    /** {@code TotalAnnotationSizeLimitB}: 256 KiB over all keys and values. */
    static final int ANNOTATIONS_MAX_BYTES = 256 * 1024;

    private MetaValidator() { }

    static void objectMeta(ObjectMeta meta, FieldPath path, List<FieldError> errs) {
        ObjectMeta m = meta == null ? new ObjectMeta() : meta;
        if (!Empty.isEmpty(m.getGenerateName())) {
            for (String msg : Formats.subdomainName(m.getGenerateName(), true)) {
                errs.add(FieldError.invalid(path.child("generateName").value(), m.getGenerateName(), msg));
            }
        }
        if (Empty.isEmpty(m.getName())) {
            errs.add(FieldError.required(path.child("name").value(), "name or generateName is required"));
        } else {
            for (String msg : Formats.subdomainName(m.getName(), false)) {
                errs.add(FieldError.invalid(path.child("name").value(), m.getName(), msg));
            }
        }
        if (Empty.isEmpty(m.getNamespace())) {
            errs.add(FieldError.required(path.child("namespace").value(), ""));
        } else {
            for (String msg : Formats.dns1123Label(m.getNamespace())) {
                errs.add(FieldError.invalid(path.child("namespace").value(), m.getNamespace(), msg));
            }
        }
        if (m.getGeneration() != null && m.getGeneration() < 0) {
            errs.add(FieldError.invalid(path.child("generation").value(), m.getGeneration(), Formats.NEGATIVE));
        }
        labels(m.getLabels(), path.child("labels"), errs);
        annotations(m.getAnnotations(), path.child("annotations"), errs);
        for (String f : Empty.list(m.getFinalizers())) {
            for (String msg : Formats.qualifiedName(f)) {
                errs.add(FieldError.invalid(path.child("finalizers").value(), f, msg));
            }
        }
    }

    /** {@code ValidateLabels}: both key and value errors are reported at the map's path. */
    static void labels(Map<String, String> labels, FieldPath path, List<FieldError> errs) {
        new TreeMap<>(Empty.map(labels)).forEach((k, v) -> {
            for (String msg : Formats.qualifiedName(k)) {
                errs.add(FieldError.invalid(path.value(), k, msg));
            }
            for (String msg : Formats.labelValue(Empty.str(v))) {
                errs.add(FieldError.invalid(path.value(), Empty.str(v), msg));
            }
        });
    }

    /** {@code ValidateAnnotations}: keys are qualified names ignoring case; values are free text. */
    static void annotations(Map<String, String> annotations, FieldPath path, List<FieldError> errs) {
        long total = 0;
        for (Map.Entry<String, String> e : new TreeMap<>(Empty.map(annotations)).entrySet()) {
            for (String msg : Formats.qualifiedName(e.getKey().toLowerCase(Locale.ROOT))) {
                errs.add(FieldError.invalid(path.value(), e.getKey(), msg));
            }
            total += Formats.bytes(e.getKey()) + Formats.bytes(Empty.str(e.getValue()));
        }
        if (total > ANNOTATIONS_MAX_BYTES) {
            errs.add(FieldError.tooLong(path.value(), ANNOTATIONS_MAX_BYTES));
        }
    }
}
