package dev.peapod.api;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random valid pods for property-style tests. Free-text fields (annotations, env values, commands)
 * get strings that are hard to print as YAML: YAML 1.1 booleans and numbers, indicators, quotes,
 * line breaks, control characters, non-ASCII.
 */
final class RandomPods {
    private static final String[] TRICKY = {"1", "1.5", "true", "True", "yes", "no", "on", "off", "y", "N", "null",
            "~", "", "0644", "0x1F", "1e3", ".inf", "-.inf", ".nan", "1_000", "a: b", "#x", "- x", "x #y", " lead",
            "trail ", "multi\nline", "multi\nline\n", "\n", "two\n\nblank", " \nspace first", "é ü 中文 🚀", "tab\there",
            "'q'", "\"dq\"", "[a]", "{a}", "*x", "&x", "!x", "%x", "@x", "`x", "|x", ">x", "?x", ": x", "-", "---",
            "...", "2001-01-01", "12:30", "0o17", "0b101", "+1", "-1", "=", "<<", "back\\slash", "ctl\u0001\u001f",
            "del\u007f", "nbsp\u00a0x", "line\u2028sep", "bom\ufeffx", "$(VAR)", "${X}", "%2F", "\r\n", "a\rb"};
    private static final String[] IMAGES = {"nginx", "nginx:1.25", "busybox:latest", "localhost:5000/app:v1",
            "quay.io/org/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"};
    private static final String[] CPU = {"100m", "250m", "0.5", "1", "2", "1500m"};
    private static final String[] MEMORY = {"64Mi", "128974848", "1Gi", "1.5Gi", "1e9", "500M"};

    private RandomPods() { }

    static Pod pod(Random r) {
        List<Volume> volumes = volumes(r);
        List<String> names = new ArrayList<>();
        List<Container> init = new ArrayList<>();
        for (int i = 0, n = r.nextInt(3); i < n; i++) {
            init.add(container(r, uniqueName(r, names), volumes, r.nextBoolean() ? Role.SIDECAR : Role.INIT));
        }
        List<Container> containers = new ArrayList<>();
        for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
            containers.add(container(r, uniqueName(r, names), volumes, Role.REGULAR));
        }
        PodBuilder b = new PodBuilder()
                .withNewMetadata().withName(dnsLabel(r)).withLabels(labels(r)).withAnnotations(annotations(r)).endMetadata()
                .withNewSpec()
                .withInitContainers(init).withContainers(containers).withVolumes(volumes)
                .withRestartPolicy(pick(r, "Always", "OnFailure", "Never", null))
                .withTerminationGracePeriodSeconds(r.nextBoolean() ? null : (long) r.nextInt(120))
                .withHostname(r.nextInt(4) == 0 ? dnsLabel(r) : null)
                .endSpec();
        return b.build();
    }

    private enum Role { INIT, SIDECAR, REGULAR }

    /** Probes only where Kubernetes allows them: regular containers and sidecars, not plain init containers. */
    private static Container container(Random r, String name, List<Volume> volumes, Role role) {
        ContainerBuilder c = new ContainerBuilder().withName(name).withImage(pick(r, IMAGES))
                .withCommand(strings(r, 3)).withArgs(strings(r, 3)).withEnv(env(r)).withPorts(ports(r))
                .withResources(resources(r)).withVolumeMounts(mounts(r, volumes))
                .withWorkingDir(r.nextBoolean() ? "/srv/" + dnsLabel(r) : null);
        if (role == Role.SIDECAR) {
            c.withRestartPolicy("Always").withReadinessProbe(probe(r, false));
        }
        if (role == Role.REGULAR && r.nextBoolean()) {
            c.withLivenessProbe(probe(r, true));
        }
        return c.build();
    }

    private static Probe probe(Random r, boolean liveness) {
        ProbeBuilder p = new ProbeBuilder();
        switch (r.nextInt(3)) {
            case 0 -> p.withNewHttpGet().withPath("/" + dnsLabel(r)).withPort(new IntOrString(1 + r.nextInt(65535))).endHttpGet();
            case 1 -> p.withNewTcpSocket().withPort(new IntOrString("http")).endTcpSocket();
            default -> {
                List<String> command = strings(r, 2);
                p.withNewExec().withCommand(command.isEmpty() ? List.of("true") : command).endExec();
            }
        }
        if (r.nextBoolean()) {
            p.withPeriodSeconds(1 + r.nextInt(60)).withFailureThreshold(1 + r.nextInt(10));
        }
        if (!liveness && r.nextBoolean()) {
            p.withSuccessThreshold(1 + r.nextInt(3));
        }
        return p.build();
    }

    private static List<EnvVar> env(Random r) {
        List<EnvVar> env = new ArrayList<>();
        for (int i = 0, n = r.nextInt(4); i < n; i++) {
            env.add(new EnvVar("VAR_" + i, tricky(r), null));
        }
        return env;
    }

    private static List<ContainerPort> ports(Random r) {
        List<ContainerPort> ports = new ArrayList<>();
        for (int i = 0, n = r.nextInt(3); i < n; i++) {
            ports.add(new ContainerPort(1000 + i * 10 + r.nextInt(10), null, null, i == 0 ? "http" : "p" + i,
                    pick(r, "TCP", "UDP", null)));
        }
        return ports;
    }

    private static ResourceRequirements resources(Random r) {
        Map<String, Quantity> limits = new LinkedHashMap<>();
        if (r.nextBoolean()) {
            limits.put("cpu", new Quantity(pick(r, CPU)));
        }
        if (r.nextBoolean()) {
            limits.put("memory", new Quantity(pick(r, MEMORY)));
        }
        ResourceRequirements res = new ResourceRequirements();
        res.setLimits(limits);
        if (r.nextBoolean()) {
            res.setRequests(new LinkedHashMap<>(limits)); // equal requests are always within the limits
        }
        return res;
    }

    private static List<Volume> volumes(Random r) {
        List<Volume> v = new ArrayList<>();
        v.add(new VolumeBuilder().withName("scratch").withNewEmptyDir()
                .withMedium(pick(r, "", "Memory", null))
                .withSizeLimit(r.nextBoolean() ? new Quantity(pick(r, MEMORY)) : null).endEmptyDir().build());
        if (r.nextBoolean()) {
            v.add(new VolumeBuilder().withName("config").withNewConfigMap().withName(dnsLabel(r))
                    .withDefaultMode(r.nextBoolean() ? 0644 : null)
                    .withItems(r.nextBoolean() ? List.of(new KeyToPath("key", 0400, "dir/file", null)) : List.of())
                    .endConfigMap().build());
        }
        if (r.nextBoolean()) {
            v.add(new VolumeBuilder().withName("host").withNewHostPath().withPath("/var/lib/" + dnsLabel(r))
                    .withType(pick(r, "", "Directory", "DirectoryOrCreate", null)).endHostPath().build());
        }
        return v;
    }

    private static List<VolumeMount> mounts(Random r, List<Volume> volumes) {
        List<VolumeMount> mounts = new ArrayList<>();
        for (Volume v : volumes) {
            if (r.nextBoolean()) {
                VolumeMount m = new VolumeMount();
                m.setName(v.getName());
                m.setMountPath("/mnt/" + v.getName());
                m.setReadOnly(r.nextBoolean() ? true : null);
                m.setSubPath(r.nextInt(4) == 0 ? "sub/" + dnsLabel(r) : null);
                mounts.add(m);
            }
        }
        return mounts;
    }

    private static Map<String, String> labels(Random r) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0, n = r.nextInt(4); i < n; i++) {
            String key = (r.nextBoolean() ? "example.com/" : "") + "k" + i;
            labels.put(key, pick(r, "web", "1", "true", "yes", "0x1F", "1e3", "12", "", "a.b-c_d", "NO"));
        }
        return labels;
    }

    private static Map<String, String> annotations(Random r) {
        Map<String, String> annotations = new LinkedHashMap<>();
        for (int i = 0, n = r.nextInt(5); i < n; i++) {
            annotations.put("note.example.com/a" + i, tricky(r));
        }
        return annotations;
    }

    private static List<String> strings(Random r, int max) {
        List<String> s = new ArrayList<>();
        for (int i = 0, n = r.nextInt(max + 1); i < n; i++) {
            s.add(tricky(r));
        }
        return s;
    }

    /** A listed tricky string, or a random mix of tricky characters. */
    static String tricky(Random r) {
        if (r.nextBoolean()) {
            return pick(r, TRICKY);
        }
        StringBuilder b = new StringBuilder();
        String pool = "aZ09 :#-'\"\\\n\t{}[],&*!|>%@`?~é中🚀\u0000\u0085";
        int[] cps = pool.codePoints().toArray();
        for (int i = 0, n = r.nextInt(12); i < n; i++) {
            b.appendCodePoint(cps[r.nextInt(cps.length)]);
        }
        return b.toString();
    }

    private static String uniqueName(Random r, List<String> taken) {
        String name;
        do {
            name = dnsLabel(r);
        } while (taken.contains(name));
        taken.add(name);
        return name;
    }

    private static String dnsLabel(Random r) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder b = new StringBuilder();
        b.append(alphabet.charAt(r.nextInt(26)));
        for (int i = 0, n = r.nextInt(10); i < n; i++) {
            b.append(r.nextInt(8) == 0 ? '-' : alphabet.charAt(r.nextInt(alphabet.length())));
        }
        b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        return b.toString();
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... options) {
        return options[r.nextInt(options.length)];
    }
}
