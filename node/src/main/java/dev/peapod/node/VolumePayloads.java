package dev.peapod.node;

import dev.peapod.node.volume.FileProjection;
import dev.peapod.node.volume.ServiceAccountTokens;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The files of a configMap, secret, downwardAPI or projected volume, computed from the pod and the
 * objects it names: a pure function but for the token signer. Semantics follow kubelet's volume
 * plugins (pkg/volume/configmap, secret, downwardapi, projected {@code MakePayload}): without
 * {@code items} every key becomes a file; a listed key that is missing fails the mount unless the
 * source is {@code optional}; a missing object fails it unless {@code optional} (then the volume
 * is empty); {@code mode} overrides {@code defaultMode} (0644 when unset).
 */
final class VolumePayloads {
    static final int DEFAULT_MODE = 0644;

    /** A volume's files, and when its content must be recomputed without a change notification (token renewal). */
    record Payload(Map<String, FileProjection> files, Optional<Instant> refreshAt) {}

    /** Signs service account tokens; a seam so that unit tests need no key on disk. */
    interface Tokens { ServiceAccountTokens.Token issue(ServiceAccountTokens.Request request); }

    private VolumePayloads() {}

    /** @throws VolumeException naming what is missing, in kubelet's words */
    static Payload of(Pod pod, Volume v, ConfigSource config, Tokens tokens) {
        String ns = namespace(pod);
        var files = new TreeMap<String, FileProjection>();
        Instant refresh = null;
        if (v.getConfigMap() != null) {
            var s = v.getConfigMap();
            configMap(config.configMap(ns, s.getName()), s.getName(), s.getItems(), mode(s.getDefaultMode()),
                    Boolean.TRUE.equals(s.getOptional()), files);
        } else if (v.getSecret() != null) {
            var s = v.getSecret();
            secret(config.secret(ns, s.getSecretName()), s.getSecretName(), s.getItems(), mode(s.getDefaultMode()),
                    Boolean.TRUE.equals(s.getOptional()), files);
        } else if (v.getDownwardAPI() != null) {
            downward(pod, v.getDownwardAPI().getItems(), mode(v.getDownwardAPI().getDefaultMode()), files);
        } else if (v.getProjected() != null) {
            int defaultMode = mode(v.getProjected().getDefaultMode());
            for (VolumeProjection p : v.getProjected().getSources()) {
                if (p.getConfigMap() != null) {
                    var s = p.getConfigMap();
                    configMap(config.configMap(ns, s.getName()), s.getName(), s.getItems(), defaultMode,
                            Boolean.TRUE.equals(s.getOptional()), files);
                } else if (p.getSecret() != null) {
                    var s = p.getSecret();
                    secret(config.secret(ns, s.getName()), s.getName(), s.getItems(), defaultMode,
                            Boolean.TRUE.equals(s.getOptional()), files);
                } else if (p.getDownwardAPI() != null) {
                    downward(pod, p.getDownwardAPI().getItems(), defaultMode, files);
                } else if (p.getServiceAccountToken() != null) {
                    var token = token(pod, p.getServiceAccountToken(), tokens);
                    files.put(p.getServiceAccountToken().getPath(), new FileProjection(token.jwt().getBytes(StandardCharsets.US_ASCII), defaultMode));
                    if (refresh == null || token.refreshAt().isBefore(refresh)) refresh = token.refreshAt();
                } else {
                    throw new VolumeException("projected source not supported by Peapod (supported: configMap, secret, downwardAPI, serviceAccountToken)");
                }
            }
        } else {
            throw new IllegalArgumentException("not a config volume: " + v.getName());
        }
        return new Payload(files, Optional.ofNullable(refresh));
    }

    private static void configMap(Optional<ConfigMap> cm, String name, List<KeyToPath> items, int defaultMode,
                                  boolean optional, Map<String, FileProjection> out) {
        if (cm.isEmpty()) {
            if (optional) return;
            throw new VolumeException("configmap \"" + name + "\" not found");
        }
        var data = new LinkedHashMap<String, byte[]>();
        if (cm.get().getData() != null) cm.get().getData().forEach((k, v) -> data.put(k, utf8(v)));
        if (cm.get().getBinaryData() != null) cm.get().getBinaryData().forEach((k, v) -> data.put(k, base64(v)));
        project(data, items, defaultMode, optional, "configmap references non-existent config key: ", out);
    }

    private static void secret(Optional<Secret> secret, String name, List<KeyToPath> items, int defaultMode,
                               boolean optional, Map<String, FileProjection> out) {
        if (secret.isEmpty()) {
            if (optional) return;
            throw new VolumeException("secret \"" + name + "\" not found");
        }
        project(secretData(secret.get(), Function.identity()), items, defaultMode, optional,
                "references non-existent secret key: ", out);
    }

    /**
     * A Secret's values: {@code data} (base64) with {@code stringData} on top, as kube-apiserver
     * merges them on write (a Secret from a file in {@code peapod up} has not been through it).
     */
    static <T> Map<String, T> secretData(Secret s, Function<byte[], T> as) {
        var m = new LinkedHashMap<String, T>();
        if (s.getData() != null) s.getData().forEach((k, v) -> m.put(k, as.apply(base64(v))));
        if (s.getStringData() != null) s.getStringData().forEach((k, v) -> m.put(k, as.apply(utf8(v))));
        return m;
    }

    private static void project(Map<String, byte[]> data, List<KeyToPath> items, int defaultMode, boolean optional,
                                String missing, Map<String, FileProjection> out) {
        if (items == null || items.isEmpty()) {
            data.forEach((k, v) -> out.put(k, new FileProjection(v, defaultMode)));
            return;
        }
        for (KeyToPath item : items) {
            byte[] value = data.get(item.getKey());
            if (value == null) {
                if (optional) continue;
                throw new VolumeException(missing + item.getKey());
            }
            out.put(item.getPath(), new FileProjection(value, item.getMode() == null ? defaultMode : item.getMode()));
        }
    }

    private static void downward(Pod pod, List<DownwardAPIVolumeFile> items, int defaultMode, Map<String, FileProjection> out) {
        for (DownwardAPIVolumeFile f : items) {
            String value;
            if (f.getFieldRef() != null) {
                value = volumeField(pod, f.getFieldRef().getFieldPath());
            } else {
                var ref = f.getResourceFieldRef();
                Container c = container(pod, ref.getContainerName());
                try {
                    value = EnvResolver.resource(c, ref);
                } catch (ContainerStartException e) {
                    throw new VolumeException(e.getMessage());
                }
            }
            out.put(f.getPath(), new FileProjection(utf8(value), f.getMode() == null ? defaultMode : f.getMode()));
        }
    }

    /** The fields a downwardAPI volume may project (https://kubernetes.io/docs/concepts/workloads/pods/downward-api/). */
    static String volumeField(Pod pod, String path) {
        var md = pod.getMetadata();
        return switch (path) {
            case "metadata.name" -> md.getName();
            case "metadata.namespace" -> namespace(pod);
            case "metadata.uid" -> md.getUid();
            case "metadata.labels" -> formatMap(md.getLabels());
            case "metadata.annotations" -> formatMap(md.getAnnotations());
            default -> {
                var m = java.util.regex.Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]").matcher(path);
                if (!m.matches()) throw new VolumeException("unsupported fieldPath: " + path);
                var map = "labels".equals(m.group(1)) ? md.getLabels() : md.getAnnotations();
                yield map == null ? "" : map.getOrDefault(m.group(2), "");
            }
        };
    }

    /** kubelet's {@code fieldpath.FormatMap}: {@code key="value"} lines sorted by key, values quoted as Go's %q, no final newline. */
    static String formatMap(Map<String, String> m) {
        if (m == null) return "";
        var lines = new StringBuilder();
        for (var e : new TreeMap<>(m).entrySet()) {
            if (!lines.isEmpty()) lines.append('\n');
            lines.append(e.getKey()).append('=').append(goQuote(e.getValue()));
        }
        return lines.toString();
    }

    /** Go's strconv.Quote for the characters labels and annotations can hold. */
    static String goQuote(String s) {
        var b = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case 0x07 -> b.append("\\a");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case 0x0b -> b.append("\\v");
                default -> {
                    if (cp < 0x20 || cp == 0x7f) b.append(String.format("\\x%02x", cp));
                    else if (Character.isISOControl(cp)) b.append(String.format("\\u%04x", cp));
                    else b.appendCodePoint(cp);
                }
            }
        });
        return b.append('"').toString();
    }

    private static ServiceAccountTokens.Token token(Pod pod, ServiceAccountTokenProjection p, Tokens tokens) {
        String sa = pod.getSpec().getServiceAccountName();
        if (sa == null || sa.isEmpty()) sa = "default";
        long seconds = p.getExpirationSeconds() == null ? 3600 : p.getExpirationSeconds();
        return tokens.issue(new ServiceAccountTokens.Request(namespace(pod), sa, pod.getMetadata().getName(),
                pod.getMetadata().getUid(), p.getAudience(), Duration.ofSeconds(seconds)));
    }

    private static Container container(Pod pod, String name) {
        for (Container c : pod.getSpec().getContainers()) if (c.getName().equals(name)) return c;
        for (Container c : pod.getSpec().getInitContainers()) if (c.getName().equals(name)) return c;
        throw new VolumeException("container \"" + name + "\" not found in the pod");
    }

    private static int mode(Integer m) { return m == null ? DEFAULT_MODE : m; }

    private static String namespace(Pod pod) {
        return pod.getMetadata().getNamespace() == null ? "default" : pod.getMetadata().getNamespace();
    }

    private static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static byte[] base64(String s) { return Base64.getDecoder().decode(s); }
}
