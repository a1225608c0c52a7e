package dev.peapod.api;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceClaim;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code ValidateContainerResourceRequirements}: resource names, non-negative (and for extended
 * resources integral) quantities, requests not above limits, hugepages rules, claim references.
 */
final class ResourceValidator {
    private static final Set<String> STANDARD_RESOURCES = Set.of("cpu", "memory", "ephemeral-storage",
            "requests.cpu", "requests.memory", "requests.ephemeral-storage", "limits.cpu", "limits.memory",
            "limits.ephemeral-storage", "pods", "quotas", "services", "replicationcontrollers", "resourcequotas",
            "secrets", "persistentvolumeclaims", "requests.storage", "configmaps", "services.nodeports",
            "services.loadbalancers");
    private static final Set<String> CONTAINER_RESOURCES = Set.of("cpu", "memory", "ephemeral-storage");

    /** A quantity that Go prints through its {@code String()} method, i.e. unquoted. */
    private record Printed(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private ResourceValidator() { }

    static void requirements(ResourceRequirements r, Set<String> podClaims, FieldPath path, List<FieldError> errs) {
        if (r == null) {
            return;
        }
        FieldPath limPath = path.child("limits");
        FieldPath reqPath = path.child("requests");
        Map<String, Quantity> limits = new TreeMap<>(Empty.map(r.getLimits()));
        boolean cpuOrMemory = false;
        boolean hugePages = false;
        for (Map.Entry<String, Quantity> e : limits.entrySet()) {
            FieldPath p = limPath.key(e.getKey());
            resourceName(e.getKey(), p, errs);
            quantityValue(e.getKey(), e.getValue(), p, errs);
            hugePages |= hugePageValue(e.getKey(), e.getValue(), p, errs);
            cpuOrMemory |= e.getKey().equals("cpu") || e.getKey().equals("memory");
        }
        for (Map.Entry<String, Quantity> e : new TreeMap<>(Empty.map(r.getRequests())).entrySet()) {
            String name = e.getKey();
            FieldPath p = reqPath.key(name);
            resourceName(name, p, errs);
            quantityValue(name, e.getValue(), p, errs);
            requestWithinLimit(name, e.getValue(), limits.get(name), limPath, reqPath, errs);
            hugePages |= hugePageValue(name, e.getValue(), p, errs);
            cpuOrMemory |= name.equals("cpu") || name.equals("memory");
        }
        if (!cpuOrMemory && hugePages) {
            errs.add(FieldError.forbidden(path.value(), "HugePages require cpu or memory"));
        }
        claims(Empty.list(r.getClaims()), podClaims, path.child("claims"), errs);
    }

    /** Kubernetes reports this at {@code resources.requests}, not at the resource's key. */
    private static void requestWithinLimit(String name, Quantity request, Quantity limit, FieldPath limPath,
                                           FieldPath reqPath, List<FieldError> errs) {
        BigDecimal req = valueOrNull(request);
        if (limit == null) {
            if (!overcommitAllowed(name)) {
                errs.add(FieldError.required(limPath.value(), "Limit must be set for non overcommitable resources"));
            }
            return;
        }
        BigDecimal lim = valueOrNull(limit);
        if (req == null || lim == null) {
            return;
        }
        if (req.compareTo(lim) != 0 && !overcommitAllowed(name)) {
            errs.add(FieldError.invalid(reqPath.value(), Quantities.canonical(request),
                    "must be equal to " + name + " limit of " + Quantities.canonical(limit)));
        } else if (req.compareTo(lim) > 0) {
            errs.add(FieldError.invalid(reqPath.value(), Quantities.canonical(request),
                    "must be less than or equal to " + name + " limit of " + Quantities.canonical(limit)));
        }
    }

    /** {@code validateContainerResourceName}. */
    private static void resourceName(String name, FieldPath p, List<FieldError> errs) {
        List<String> msgs = Formats.qualifiedName(name);
        msgs.forEach(m -> errs.add(FieldError.invalid(p.value(), name, m)));
        boolean qualified = msgs.isEmpty();
        if (qualified && !name.contains("/") && !STANDARD_RESOURCES.contains(name) && !isHugePages(name)) {
            errs.add(FieldError.invalid(p.value(), name, "must be a standard resource type or fully qualified"));
        }
        if (!name.contains("/")) {
            if (!CONTAINER_RESOURCES.contains(name) && !isHugePages(name)) {
                errs.add(FieldError.invalid(p.value(), name, "must be a standard resource for containers"));
            }
        } else if (!isNative(name) && !isExtended(name)) {
            errs.add(FieldError.invalid(p.value(), name, "doesn't follow extended resource name standard"));
        }
    }

    /** {@code ValidateResourceQuantityValue}. */
    private static void quantityValue(String name, Quantity q, FieldPath p, List<FieldError> errs) {
        BigDecimal v = valueOrNull(q);
        if (v == null) {
            errs.add(FieldError.invalid(p.value(), q == null ? "" : Quantities.text(q), Quantities.FORMAT_ERROR));
            return;
        }
        if (v.signum() < 0) {
            errs.add(FieldError.invalid(p.value(), Quantities.canonical(q), Formats.NEGATIVE));
        }
        if (isExtended(name) && Quantities.milliCpu(q) % 1000 != 0) {
            errs.add(FieldError.invalid(p.value(), new Printed(Quantities.canonical(q)), "must be an integer"));
        }
    }

    /** Returns whether {@code name} is a hugepages resource; reports sizes that are not whole pages. */
    private static boolean hugePageValue(String name, Quantity q, FieldPath p, List<FieldError> errs) {
        if (!isHugePages(name)) {
            return false;
        }
        String size = name.substring("hugepages-".length());
        BigDecimal v = valueOrNull(q);
        if (v != null && Quantities.isValid(size) && Quantities.value(size).signum() > 0) {
            BigDecimal page = Quantities.value(size);
            if (v.remainder(page).signum() != 0 || v.signum() < 0) {
                errs.add(FieldError.invalid(p.value(), Quantities.canonical(q),
                        Quantities.canonical(q) + " is not positive integer multiple of " + name));
            }
        }
        return true;
    }

    private static void claims(List<ResourceClaim> claims, Set<String> podClaims, FieldPath p, List<FieldError> errs) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < claims.size(); i++) {
            String name = Empty.str(claims.get(i).getName());
            if (name.isEmpty()) {
                errs.add(FieldError.required(p.index(i).value(), ""));
                continue;
            }
            if (!seen.add(name)) {
                errs.add(FieldError.duplicate(p.index(i).value(), name));
            }
            if (!podClaims.contains(name)) {
                String detail = "must be one of the names in pod.spec.resourceClaims"
                        + (podClaims.isEmpty() ? " which is empty" : ": " + String.join(", ", new TreeSet<>(podClaims)));
                errs.add(new FieldError(p.index(i).value(), FieldError.Type.NOT_FOUND, name, detail));
            }
        }
    }

    private static BigDecimal valueOrNull(Quantity q) {
        return q != null && Quantities.isValid(Quantities.text(q)) ? Quantities.value(q) : null;
    }

    private static boolean isHugePages(String name) {
        return name.startsWith("hugepages-");
    }

    /** {@code IsNativeResource}: unprefixed or in the kubernetes.io domain. */
    private static boolean isNative(String name) {
        return !name.contains("/") || name.contains("kubernetes.io/");
    }

    /** {@code IsExtendedResourceName}: a domain-prefixed name outside kubernetes.io, e.g. example.com/gpu. */
    static boolean isExtended(String name) {
        return !isNative(name) && !name.startsWith("requests.") && Formats.qualifiedName("requests." + name).isEmpty();
    }

    /** {@code IsOvercommitAllowed}: native resources other than hugepages. */
    private static boolean overcommitAllowed(String name) {
        return isNative(name) && !isHugePages(name);
    }
}
