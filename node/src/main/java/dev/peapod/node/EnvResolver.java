package dev.peapod.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Resolves a container's {@code envFrom} and {@code env[].valueFrom} into plain name/value pairs,
 * in the order kubelet uses ({@code kubelet_pods.go makeEnvironmentVariables}): envFrom sources
 * first, then env entries; a later entry with the same name wins. {@code $(VAR)} expansion happens
 * later, in spec generation. A missing non-optional reference fails with the message kubelet
 * gives, which the worker reports as {@code CreateContainerConfigError}.
 */
final class EnvResolver {
    /** {@code literal}: a plain {@code env[].value}, the only kind kubelet expands {@code $(VAR)} in. */
    record EnvPair(String name, String value, boolean literal) {}

    private EnvResolver() {}

    static List<EnvPair> resolve(Pod pod, Container c, ConfigSource config, String hostIp, String podIp)
            throws ContainerStartException {
        String ns = pod.getMetadata().getNamespace() == null ? "default" : pod.getMetadata().getNamespace();
        var out = new ArrayList<EnvPair>();
        for (EnvFromSource from : c.getEnvFrom()) {
            String prefix = from.getPrefix() == null ? "" : from.getPrefix();
            if (from.getConfigMapRef() != null) {
                var ref = from.getConfigMapRef();
                var cm = config.configMap(ns, ref.getName());
                if (cm.isEmpty()) {
                    if (Boolean.TRUE.equals(ref.getOptional())) continue;
                    throw configError("configmap \"" + ref.getName() + "\" not found");
                }
                cm.get().getData().forEach((k, v) -> { if (validName(prefix + k)) out.add(new EnvPair(prefix + k, v, false)); });
            } else if (from.getSecretRef() != null) {
                var ref = from.getSecretRef();
                var s = config.secret(ns, ref.getName());
                if (s.isEmpty()) {
                    if (Boolean.TRUE.equals(ref.getOptional())) continue;
                    throw configError("secret \"" + ref.getName() + "\" not found");
                }
                secretData(s.get()).forEach((k, v) -> { if (validName(prefix + k)) out.add(new EnvPair(prefix + k, v, false)); });
            }
        }
        for (EnvVar e : c.getEnv()) {
            if (e.getValueFrom() == null) { out.add(new EnvPair(e.getName(), e.getValue() == null ? "" : e.getValue(), true)); continue; }
            String v = valueFrom(pod, c, e, ns, config, hostIp, podIp);
            if (v != null) out.add(new EnvPair(e.getName(), v, false));
        }
        return out;
    }

    /**
     * kubelet skips envFrom keys that are not valid variable names and says so in a Warning event
     * {@code InvalidEnvironmentVariableNames} (kubelet_pods.go makeEnvironmentVariables): one
     * message per source with skipped keys, in kubelet's words.
     */
    static List<String> skippedEnvFromKeys(Pod pod, Container c, ConfigSource config) {
        String ns = pod.getMetadata().getNamespace() == null ? "default" : pod.getMetadata().getNamespace();
        var out = new ArrayList<String>();
        for (EnvFromSource from : c.getEnvFrom()) {
            String prefix = from.getPrefix() == null ? "" : from.getPrefix();
            Map<String, ?> data = null;
            String kind = null, name = null;
            if (from.getConfigMapRef() != null) {
                kind = "configMap";
                name = from.getConfigMapRef().getName();
                data = config.configMap(ns, name).map(cm -> cm.getData()).orElse(null);
            } else if (from.getSecretRef() != null) {
                kind = "secret";
                name = from.getSecretRef().getName();
                data = config.secret(ns, name).map(EnvResolver::secretData).orElse(null);
            }
            if (data == null) continue;
            var invalid = data.keySet().stream().filter(k -> !validName(prefix + k)).sorted().toList();
            if (!invalid.isEmpty()) {
                out.add("Keys [" + String.join(", ", invalid) + "] from the EnvFrom " + kind + " " + ns + "/" + name
                        + " were skipped since they are considered invalid environment variable names.");
            }
        }
        return out;
    }

    /** {@code IsRelaxedEnvVarName} (RelaxedEnvironmentVariableValidation, GA): printable ASCII but '=', not empty. */
    static boolean validName(String name) {
        if (name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch < 32 || ch > 126 || ch == '=') return false;
        }
        return true;
    }

    private static String valueFrom(Pod pod, Container c, EnvVar e, String ns, ConfigSource config,
                                    String hostIp, String podIp) throws ContainerStartException {
        var from = e.getValueFrom();
        if (from.getFieldRef() != null) return field(pod, from.getFieldRef().getFieldPath(), hostIp, podIp);
        if (from.getResourceFieldRef() != null) return resource(c, from.getResourceFieldRef());
        if (from.getConfigMapKeyRef() != null) {
            var ref = from.getConfigMapKeyRef();
            boolean optional = Boolean.TRUE.equals(ref.getOptional());
            var cm = config.configMap(ns, ref.getName());
            if (cm.isEmpty()) {
                if (optional) return null;
                throw configError("configmap \"" + ref.getName() + "\" not found");
            }
            String v = cm.get().getData() == null ? null : cm.get().getData().get(ref.getKey());
            if (v == null && !optional) throw configError("couldn't find key " + ref.getKey() + " in ConfigMap " + ns + "/" + ref.getName());
            return v;
        }
        if (from.getSecretKeyRef() != null) {
            var ref = from.getSecretKeyRef();
            boolean optional = Boolean.TRUE.equals(ref.getOptional());
            var s = config.secret(ns, ref.getName());
            if (s.isEmpty()) {
                if (optional) return null;
                throw configError("secret \"" + ref.getName() + "\" not found");
            }
            String v = secretData(s.get()).get(ref.getKey());
            if (v == null && !optional) throw configError("couldn't find key " + ref.getKey() + " in Secret " + ns + "/" + ref.getName());
            return v;
        }
        return "";
    }

    private static Map<String, String> secretData(io.fabric8.kubernetes.api.model.Secret s) {
        return VolumePayloads.secretData(s, b -> new String(b, StandardCharsets.UTF_8));
    }

    /** The downward API fields of https://kubernetes.io/docs/concepts/workloads/pods/downward-api/. */
    static String field(Pod pod, String path, String hostIp, String podIp) throws ContainerStartException {
        var md = pod.getMetadata();
        switch (path) {
            case "metadata.name": return md.getName();
            case "metadata.namespace": return md.getNamespace() == null ? "default" : md.getNamespace();
            case "metadata.uid": return md.getUid();
            case "spec.nodeName": return pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName();
            case "spec.serviceAccountName": return pod.getSpec().getServiceAccountName() == null ? "" : pod.getSpec().getServiceAccountName();
            case "status.hostIP", "status.hostIPs": return hostIp == null ? "" : hostIp;
            case "status.podIP", "status.podIPs": return podIp == null ? "" : podIp;
            default:
        }
        var m = java.util.regex.Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]").matcher(path);
        if (m.matches()) {
            var map = "labels".equals(m.group(1)) ? md.getLabels() : md.getAnnotations();
            return map == null ? "" : map.getOrDefault(m.group(2), "");
        }
        throw configError("unsupported fieldPath: " + path);
    }

    /** A container's request or limit by {@code resourceFieldRef}, for env and downwardAPI volumes. */
    static String resource(Container c, io.fabric8.kubernetes.api.model.ResourceFieldSelector ref)
            throws ContainerStartException {
        String res = ref.getResource();
        boolean requests = "requests".equals(res.split("\\.")[0]);
        var reqs = c.getResources() == null ? null : (requests ? c.getResources().getRequests() : c.getResources().getLimits());
        String name = res.contains(".") ? res.substring(res.indexOf('.') + 1) : res;
        Quantity q = reqs == null ? null : reqs.get(name);
        // An unset request is 0 (kubelet's ExtractContainerResourceValue); only limits fall back.
        if (q == null && requests) return "0";
        if (q == null) {
            // kubelet falls back to node allocatable for unset limits; here: the host's capacity.
            if (name.equals("cpu")) q = new Quantity(String.valueOf(Runtime.getRuntime().availableProcessors()));
            else if (name.equals("memory")) q = new Quantity(String.valueOf(hostMemoryBytes()));
            else return "0";
        }
        BigDecimal divisor = ref.getDivisor() == null ? BigDecimal.ONE : Quantity.getAmountInBytes(ref.getDivisor());
        if (divisor.signum() == 0) divisor = BigDecimal.ONE;
        // Kubernetes rounds up (ceil) when converting with a divisor.
        return Quantity.getAmountInBytes(q).divide(divisor, 0, RoundingMode.CEILING).toPlainString();
    }

    private static long hostMemoryBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (java.io.IOException ignored) {
            // fall through
        }
        return 0;
    }

    private static ContainerStartException configError(String message) {
        return new ContainerStartException("CreateContainerConfigError", message);
    }
}
