package dev.peapod.api;

import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code validateObjectFieldSelector} and {@code validateContainerResourceFieldSelector}: the
 * downward API references used by env vars and by downwardAPI volume files.
 */
final class DownwardApiValidator {
    /** {@code validEnvDownwardAPIFieldPathExpressions}. */
    static final Set<String> ENV_FIELDS = new TreeSet<>(Set.of("metadata.name", "metadata.namespace",
            "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs",
            "status.podIP", "status.podIPs"));
    /** {@code validVolumeDownwardAPIFieldPathExpressions}. */
    static final Set<String> VOLUME_FIELDS = new TreeSet<>(Set.of("metadata.name", "metadata.namespace",
            "metadata.labels", "metadata.annotations", "metadata.uid"));
    /** Labels {@code ConvertDownwardAPIFieldLabel} accepts for v1 (before the per-use expression check). */
    private static final Set<String> CONVERTIBLE = Set.of("metadata.annotations", "metadata.labels",
            "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.restartPolicy",
            "spec.serviceAccountName", "spec.schedulerName", "status.phase", "status.hostIP", "status.hostIPs",
            "status.podIP", "status.podIPs");
    private static final Set<String> RESOURCE_FIELDS = new TreeSet<>(Set.of("limits.cpu", "limits.memory",
            "limits.ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage"));
    private static final Set<String> BYTE_DIVISORS = Set.of("1", "1k", "1M", "1G", "1T", "1P", "1E",
            "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei");
    private static final String BYTE_DIVISOR_LIST = "1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei";

    private DownwardApiValidator() { }

    static void fieldRef(ObjectFieldSelector fs, Set<String> expressions, FieldPath path, List<FieldError> errs) {
        if (Empty.isEmpty(fs.getApiVersion())) {
            errs.add(FieldError.required(path.child("apiVersion").value(), ""));
            return;
        }
        if (Empty.isEmpty(fs.getFieldPath())) {
            errs.add(FieldError.required(path.child("fieldPath").value(), ""));
            return;
        }
        String label = fs.getFieldPath();
        String conversionError = convertError(fs.getApiVersion(), label);
        if (conversionError != null) {
            errs.add(FieldError.invalid(path.child("fieldPath").value(), label, "error converting fieldPath: " + conversionError));
            return;
        }
        String internal = "spec.host".equals(label) ? "spec.nodeName" : label;
        String[] subscripted = splitSubscript(internal);
        if (subscripted != null) {
            String key = "metadata.annotations".equals(subscripted[0])
                    ? subscripted[1].toLowerCase(Locale.ROOT) : subscripted[1];
            for (String msg : Formats.qualifiedName(key)) {
                errs.add(FieldError.invalid(path.value(), key, msg));
            }
        } else if (!expressions.contains(internal)) {
            errs.add(FieldError.notSupported(path.child("fieldPath").value(), internal, List.copyOf(expressions)));
        }
    }

    /** {@code podshelper.ConvertDownwardAPIFieldLabel}'s error text, or null when the label converts. */
    private static String convertError(String version, String label) {
        if (!"v1".equals(version)) {
            return "unsupported pod version: " + version;
        }
        String[] subscripted = splitSubscript(label);
        if (subscripted != null) {
            return "metadata.annotations".equals(subscripted[0]) || "metadata.labels".equals(subscripted[0])
                    ? null : "field label does not support subscript: " + label;
        }
        return CONVERTIBLE.contains(label) || "spec.host".equals(label) ? null : "field label not supported: " + label;
    }

    /** {@code fieldpath.SplitMaybeSubscriptedPath}: {@code metadata.labels['app']} → {path, key}. */
    private static String[] splitSubscript(String fieldPath) {
        if (!fieldPath.endsWith("']")) {
            return null;
        }
        int open = fieldPath.indexOf("['");
        if (open < 0) {
            return null;
        }
        return new String[]{fieldPath.substring(0, open), fieldPath.substring(open + 2, fieldPath.length() - 2)};
    }

    static void resourceFieldRef(ResourceFieldSelector fs, boolean volume, FieldPath path, List<FieldError> errs) {
        String resource = Empty.str(fs.getResource());
        if (volume && Empty.isEmpty(fs.getContainerName())) {
            errs.add(FieldError.required(path.child("containerName").value(), ""));
        } else if (resource.isEmpty()) {
            errs.add(FieldError.required(path.child("resource").value(), ""));
        } else if (!RESOURCE_FIELDS.contains(resource) && !isHugePagesField(resource)) {
            errs.add(FieldError.notSupported(path.child("resource").value(), resource, List.copyOf(RESOURCE_FIELDS)));
        }
        divisor(resource, fs.getDivisor(), path, errs);
    }

    private static boolean isHugePagesField(String resource) {
        return resource.startsWith("requests.hugepages-") || resource.startsWith("limits.hugepages-");
    }

    private static void divisor(String resource, Quantity divisor, FieldPath path, List<FieldError> errs) {
        if (divisor == null || !Quantities.isValid(Quantities.text(divisor))
                || Quantities.value(divisor).signum() == 0) {
            return;
        }
        String d = Quantities.canonical(divisor);
        String kind = switch (resource) {
            case "limits.cpu", "requests.cpu" -> Set.of("1m", "1").contains(d) ? null : "cpu";
            case "limits.memory", "requests.memory" -> BYTE_DIVISORS.contains(d) ? null : "memory";
            case "limits.ephemeral-storage", "requests.ephemeral-storage" ->
                    BYTE_DIVISORS.contains(d) ? null : "local ephemeral storage";
            default -> isHugePagesField(resource) && !BYTE_DIVISORS.contains(d) ? "hugepages" : null;
        };
        if (kind == null) {
            return;
        }
        String allowed = "cpu".equals(kind) ? "1m and 1" : BYTE_DIVISOR_LIST;
        errs.add(FieldError.invalid(path.child("divisor").value(), resource,
                "only divisor's values " + allowed + " are supported with the " + kind + " resource"));
    }
}
