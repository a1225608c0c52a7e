package dev.peapod.api;

import dev.peapod.api.LintFinding.Code;
import dev.peapod.api.LintFinding.Severity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code peapod lint}: design mistakes in valid pods, each explained with its field path and a
 * one-line fix — what the multi-container literature and the Kubernetes docs warn about, and what the
 * runtime would otherwise only show as a failure (a port already in use, a pod that never completes,
 * a container killed during its preStop hook).
 *
 * <p>Pure: pods in (defaulted, as {@link PodDefaults} leaves them), findings out, in manifest order. The
 * pods of one call are taken to run on this one host together, so host ports are compared across them.
 */
public final class PodLinter {
    /**
     * A liveness probe that waits this long before its first check is a slow starter's workaround: the docs
     * ("Protect slow starting containers with startup probes",
     * https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/)
     * recommend a startupProbe instead, which does not delay every restart's liveness checks.
     */
    static final int SLOW_START_SECONDS = 30;

    private PodLinter() {}

    private enum Kind { INIT, SIDECAR, REGULAR }

    /** A container with where it sits in the pod. */
    private record Slot(FieldPath path, Container c, Kind kind) {
        String name() { return c.getName(); }
    }

    /** A host port taken by a pod: who took it, for the second claimant's message. */
    private record HostPortUse(String pod, String path, String hostIp) {}

    /**
     * How findings are shown where a pod is submitted ({@code peapod up}, pod creation in {@code peapod serve}):
     * the warnings one by one, the info findings — practice, which nearly every quick experiment has — counted.
     */
    public record Summary(List<LintFinding> warnings, int infos, java.util.SortedSet<String> infoCodes) {
        public static Summary of(List<LintFinding> findings) {
            var warnings = findings.stream().filter(f -> f.severity() == Severity.WARNING).toList();
            var codes = new java.util.TreeSet<String>();
            findings.stream().filter(f -> f.severity() == Severity.INFO).forEach(f -> codes.add(f.code().name()));
            return new Summary(warnings, findings.size() - warnings.size(), codes);
        }

        /** {@code 9 more findings (PEA005, PEA006)}, or null when there is no info finding. */
        public String infoCount() {
            return infos == 0 ? null : infos + " more finding" + (infos == 1 ? "" : "s") + " (" + String.join(", ", infoCodes) + ")";
        }
    }

    public static List<LintFinding> lint(List<Pod> pods) {
        return lintEach(pods).stream().flatMap(List::stream).toList();
    }

    /** The findings per pod: element i holds those of {@code pods.get(i)} (host ports compared with the pods before it). */
    public static List<List<LintFinding>> lintEach(List<Pod> pods) {
        var out = new ArrayList<List<LintFinding>>();
        var hostPorts = new HashMap<String, List<HostPortUse>>();
        for (Pod pod : pods) {
            var findings = new ArrayList<LintFinding>();
            out.add(findings);
            if (pod.getSpec() == null) continue;
            var l = new PodLint(pod, findings);
            l.run();
            l.hostPorts(hostPorts);
        }
        return out;
    }

    /** The findings of one pod. */
    private static final class PodLint {
        private final Pod pod;
        private final PodSpec spec;
        private final String name;
        private final List<LintFinding> out;
        private final List<Slot> slots = new ArrayList<>();

        PodLint(Pod pod, List<LintFinding> out) {
            this.pod = pod;
            this.spec = pod.getSpec();
            this.name = pod.getMetadata() == null ? null : pod.getMetadata().getName();
            this.out = out;
            var init = FieldPath.SPEC.child("initContainers");
            for (int i = 0; i < Empty.list(spec.getInitContainers()).size(); i++) {
                Container c = spec.getInitContainers().get(i);
                slots.add(new Slot(init.index(i), c, "Always".equals(c.getRestartPolicy()) ? Kind.SIDECAR : Kind.INIT));
            }
            var regular = FieldPath.SPEC.child("containers");
            for (int i = 0; i < Empty.list(spec.getContainers()).size(); i++) {
                slots.add(new Slot(regular.index(i), spec.getContainers().get(i), Kind.REGULAR));
            }
        }

        void run() {
            portConflicts();
            helperNeverCompletes();
            sidecarsWithoutStartupProbe();
            for (Slot s : slots) {
                livenessWithoutStartupProbe(s);
                resources(s);
                security(s);
                preStopBeyondGrace(s);
            }
            emptyDirsNotShared();
        }

        private void add(Code code, Severity severity, FieldPath path, String message, String fix) {
            out.add(new LintFinding(code, severity, name, path.toString(), message, fix));
        }

        /** Containers that run at the same time: native sidecars and regular containers (init containers run alone). */
        private List<Slot> concurrent() {
            return slots.stream().filter(s -> s.kind() != Kind.INIT).toList();
        }

        // PEA001: the pod is one network namespace; two processes binding one port: the second gets EADDRINUSE.
        private void portConflicts() {
            var seen = new HashMap<String, String>();
            for (Slot s : concurrent()) {
                List<ContainerPort> ports = Empty.list(s.c().getPorts());
                for (int j = 0; j < ports.size(); j++) {
                    ContainerPort p = ports.get(j);
                    if (p.getContainerPort() == null) continue;
                    String key = p.getContainerPort() + "/" + protocol(p);
                    FieldPath path = s.path().child("ports").index(j);
                    String first = seen.putIfAbsent(key, s.path() + " (\"" + s.name() + "\")");
                    if (first != null && !first.startsWith(s.path() + " ")) {
                        add(Code.PEA001, Severity.WARNING, path,
                                "port " + key + " is also declared by " + first + "; the containers of a pod share one network "
                                        + (Boolean.TRUE.equals(spec.getHostNetwork()) ? "namespace (here the host's)" : "namespace")
                                        + ", so whichever binds second fails with \"address already in use\"",
                                "give one of the two containers another port (or remove the duplicate declaration)");
                    }
                }
            }
        }

        // PEA002: in a pod meant to complete, a regular container that never exits keeps the pod Running forever.
        private void helperNeverCompletes() {
            String policy = spec.getRestartPolicy() == null ? "Always" : spec.getRestartPolicy();
            if (policy.equals("Always")) return;
            var regular = slots.stream().filter(s -> s.kind() == Kind.REGULAR).toList();
            if (regular.size() < 2) return;
            var servers = regular.stream().filter(PodLinter::looksLongRunning).toList();
            var jobs = regular.stream().filter(s -> !looksLongRunning(s)).toList();
            if (jobs.isEmpty()) return;
            String job = jobs.stream().map(s -> "\"" + s.name() + "\"").collect(Collectors.joining(", "));
            for (Slot s : servers) {
                add(Code.PEA002, Severity.WARNING, s.path(),
                        "\"" + s.name() + "\" looks like a helper (it declares " + longRunningWhy(s) + ") in a pod with restartPolicy: "
                                + policy + "; a regular container that never exits keeps the pod Running after " + job + " completed",
                        "move it to spec.initContainers with restartPolicy: Always (a native sidecar): it is stopped once the regular containers are done");
            }
        }

        // PEA003: kubelet starts the container after a sidecar as soon as the sidecar's process has started,
        // unless it has a startupProbe (KEP-753); a readinessProbe does not hold the next one back.
        private void sidecarsWithoutStartupProbe() {
            for (int i = 0; i < slots.size(); i++) {
                Slot s = slots.get(i);
                if (s.kind() != Kind.SIDECAR || s.c().getStartupProbe() != null) continue;
                var later = slots.subList(i + 1, slots.size());
                if (later.isEmpty()) continue;
                String dependency = dependency(s, later);
                if (dependency == null) continue;
                add(Code.PEA003, Severity.WARNING, s.path(),
                        "sidecar \"" + s.name() + "\" has no startupProbe: the containers after it start as soon as its process has started, "
                                + "before " + dependency,
                        "add a startupProbe (e.g. a tcpSocket or httpGet probe on its port) so the next containers wait until it is ready");
            }
        }

        /** What later containers may rely on: the sidecar's ports, or a volume it shares with them; null if neither. */
        private static String dependency(Slot sidecar, List<Slot> later) {
            var ports = Empty.list(sidecar.c().getPorts()).stream()
                    .map(ContainerPort::getContainerPort).filter(p -> p != null).map(String::valueOf).toList();
            if (!ports.isEmpty()) return "it listens on " + String.join(", ", ports);
            Set<String> mine = volumeNames(sidecar.c());
            for (Slot s : later) {
                for (String v : volumeNames(s.c())) {
                    if (mine.contains(v)) return "it has prepared volume \"" + v + "\" that \"" + s.name() + "\" mounts too";
                }
            }
            return null;
        }

        // PEA004: a long initialDelaySeconds delays every restart's liveness checks and still kills a slower start.
        private void livenessWithoutStartupProbe(Slot s) {
            Probe live = s.c().getLivenessProbe();
            if (live == null || s.c().getStartupProbe() != null) return;
            int delay = live.getInitialDelaySeconds() == null ? 0 : live.getInitialDelaySeconds();
            if (delay < SLOW_START_SECONDS) return;
            add(Code.PEA004, Severity.WARNING, s.path().child("livenessProbe", "initialDelaySeconds"),
                    "the livenessProbe waits " + delay + "s for a slow start without a startupProbe: a start slower than that is killed "
                            + "and restarted in a loop, and the delay also holds back liveness checks after every restart",
                    "add a startupProbe with failureThreshold x periodSeconds above the start time, and drop initialDelaySeconds");
        }

        // PEA005: without requests the pod is BestEffort (evicted first, no CPU share); without a memory limit one
        // container can take the host's memory (https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/).
        private void resources(Slot s) {
            var r = s.c().getResources();
            Map<String, Quantity> req = r == null ? Map.of() : Empty.map(r.getRequests());
            Map<String, Quantity> lim = r == null ? Map.of() : Empty.map(r.getLimits());
            var missing = new ArrayList<String>();
            if (!req.containsKey("cpu")) missing.add("requests.cpu");
            if (!req.containsKey("memory")) missing.add("requests.memory");
            if (!lim.containsKey("memory")) missing.add("limits.memory");
            if (missing.isEmpty()) return;
            add(Code.PEA005, Severity.INFO, s.path().child("resources"),
                    "\"" + s.name() + "\" sets no " + String.join(", ", missing)
                            + (missing.contains("limits.memory") ? ": nothing bounds its memory" : "")
                            + (req.isEmpty() ? " and without requests it gets no guaranteed CPU share" : ""),
                    "set resources.requests (cpu, memory) and resources.limits.memory");
        }

        // PEA006, PEA007: https://kubernetes.io/docs/concepts/security/pod-security-standards/ (restricted).
        private void security(Slot s) {
            SecurityContext c = s.c().getSecurityContext();
            PodSecurityContext p = spec.getSecurityContext();
            Boolean nonRoot = c != null && c.getRunAsNonRoot() != null ? c.getRunAsNonRoot() : p == null ? null : p.getRunAsNonRoot();
            Long user = c != null && c.getRunAsUser() != null ? c.getRunAsUser() : p == null ? null : p.getRunAsUser();
            FieldPath sc = s.path().child("securityContext");
            if (user != null && user == 0) {
                add(Code.PEA006, Severity.INFO, sc.child("runAsUser"), "\"" + s.name() + "\" runs as root (runAsUser: 0)",
                        "run as a non-zero UID and set securityContext.runAsNonRoot: true");
            } else if (user == null && !Boolean.TRUE.equals(nonRoot)) {
                add(Code.PEA006, Severity.INFO, sc, "\"" + s.name() + "\" may run as root: neither runAsUser nor runAsNonRoot is set, "
                                + "so the image's USER decides",
                        "set securityContext.runAsNonRoot: true (and runAsUser to a non-zero UID if the image has no USER)");
            }
            if (c == null || !Boolean.TRUE.equals(c.getReadOnlyRootFilesystem())) {
                add(Code.PEA007, Severity.INFO, sc.child("readOnlyRootFilesystem"),
                        "\"" + s.name() + "\" can write to its root filesystem",
                        "set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where it writes");
            }
        }

        // PEA008: in a multi-container pod an emptyDir is how containers share files; one mounted by a single
        // container (or none) is often a volumeMount forgotten in the other container.
        private void emptyDirsNotShared() {
            if (slots.size() < 2) return;
            List<Volume> volumes = Empty.list(spec.getVolumes());
            for (int k = 0; k < volumes.size(); k++) {
                Volume v = volumes.get(k);
                if (v.getEmptyDir() == null) continue;
                var users = slots.stream().filter(s -> volumeNames(s.c()).contains(v.getName())).map(Slot::name).toList();
                if (users.size() > 1) continue;
                FieldPath path = FieldPath.SPEC.child("volumes").index(k);
                if (users.isEmpty()) {
                    add(Code.PEA008, Severity.INFO, path, "emptyDir \"" + v.getName() + "\" is not mounted by any container",
                            "mount it where the containers share files, or remove it");
                } else {
                    add(Code.PEA008, Severity.INFO, path, "emptyDir \"" + v.getName() + "\" is mounted only by \"" + users.getFirst()
                                    + "\"; if it is meant for sharing, the other containers do not see it",
                            "add a volumeMount of \"" + v.getName() + "\" to the containers that read or write it (ignore for private scratch space)");
                }
            }
        }

        // PEA009: the grace period covers preStop and the stop signal together; kubelet gives a preStop that
        // overruns it 2 s more, then SIGKILLs (https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/).
        private void preStopBeyondGrace(Slot s) {
            var lc = s.c().getLifecycle();
            if (lc == null || lc.getPreStop() == null) return;
            long seconds = preStopSeconds(lc.getPreStop());
            long grace = spec.getTerminationGracePeriodSeconds() == null ? 30 : spec.getTerminationGracePeriodSeconds();
            if (seconds < 0 || seconds < grace) return;
            add(Code.PEA009, Severity.WARNING, s.path().child("lifecycle", "preStop"),
                    "the preStop hook takes " + seconds + "s but terminationGracePeriodSeconds is " + grace
                            + ": the container is killed (SIGKILL) before it receives its stop signal and can shut down",
                    "raise spec.terminationGracePeriodSeconds above the preStop time plus the shutdown time, or shorten the preStop");
        }

        // PEA010: two pods of one host asking for one host port: the second is rejected (NodePorts).
        void hostPorts(Map<String, List<HostPortUse>> taken) {
            for (Slot s : slots) {
                List<ContainerPort> ports = Empty.list(s.c().getPorts());
                for (int j = 0; j < ports.size(); j++) {
                    ContainerPort p = ports.get(j);
                    int hostPort = p.getHostPort() == null ? 0 : p.getHostPort();
                    if (hostPort == 0) continue;
                    String ip = p.getHostIP() == null || p.getHostIP().isEmpty() ? "0.0.0.0" : p.getHostIP();
                    String key = hostPort + "/" + protocol(p);
                    FieldPath path = s.path().child("ports").index(j).child("hostPort");
                    List<HostPortUse> uses = taken.computeIfAbsent(key, x -> new ArrayList<>());
                    for (HostPortUse u : uses) {
                        // The same address, or a wildcard on either side, is one socket address (kubelet's NodePorts check).
                        if (!(u.hostIp().equals(ip) || u.hostIp().equals("0.0.0.0") || ip.equals("0.0.0.0"))) continue;
                        String who = u.pod().equals(name) ? u.path() : "pod \"" + u.pod() + "\" (" + u.path() + ")";
                        add(Code.PEA010, Severity.WARNING, path,
                                "hostPort " + key + " on " + ip + " is also taken by " + who
                                        + (u.pod().equals(name) ? ": the pod cannot start (the port is bound twice)"
                                        : ": the pod started second is rejected by the node (NodePorts)"),
                                "choose another hostPort for one of them (or drop hostPort and reach the pod on its IP)");
                        break;
                    }
                    uses.add(new HostPortUse(name, path.toString(), ip));
                }
            }
        }
    }

    private static String protocol(ContainerPort p) {
        return p.getProtocol() == null || p.getProtocol().isEmpty() ? "TCP" : p.getProtocol();
    }

    private static boolean looksLongRunning(Slot s) {
        return !longRunningWhy(s).isEmpty();
    }

    /** Why a container looks like a server: ports, readiness or liveness probes. Empty if it does not. */
    private static String longRunningWhy(Slot s) {
        var why = new ArrayList<String>();
        if (!Empty.list(s.c().getPorts()).isEmpty()) why.add("ports");
        if (s.c().getReadinessProbe() != null) why.add("a readinessProbe");
        if (s.c().getLivenessProbe() != null) why.add("a livenessProbe");
        return String.join(" and ", why);
    }

    private static Set<String> volumeNames(Container c) {
        return Empty.list(c.getVolumeMounts()).stream().map(VolumeMount::getName)
                .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }

    /**
     * How long a preStop hook takes, where the manifest says: {@code sleep.seconds}, or an exec command that
     * sleeps ({@code sleep 40}, {@code sh -c "sleep 40 && …"}). -1 when it cannot be known (httpGet, other commands).
     */
    static long preStopSeconds(LifecycleHandler h) {
        if (h.getSleep() != null && h.getSleep().getSeconds() != null) return h.getSleep().getSeconds();
        if (h.getExec() == null) return -1;
        var words = new ArrayList<String>();
        for (String arg : Empty.list(h.getExec().getCommand())) {
            for (String w : arg.split("[\\s;&|()]+")) if (!w.isEmpty()) words.add(w);
        }
        long total = -1;
        for (int i = 0; i + 1 < words.size(); i++) {
            String w = words.get(i);
            if (!(w.equals("sleep") || w.endsWith("/sleep"))) continue;
            String n = words.get(i + 1);
            if (n.matches("\\d+(s)?")) total = Math.max(total, 0) + Long.parseLong(n.replace("s", ""));
        }
        return total;
    }
}
