package dev.peapod.cli;

import dev.peapod.api.ConfigObjectValidator;
import dev.peapod.api.FieldError;
import dev.peapod.api.LintFinding;
import dev.peapod.api.ManifestException;
import dev.peapod.api.PersistentVolumeClaimValidator;
import dev.peapod.api.Manifests;
import dev.peapod.api.PodDefaults;
import dev.peapod.api.PodLinter;
import dev.peapod.api.PodValidator;
import dev.peapod.api.PodWarnings;
import dev.peapod.node.ConfigSource;
import dev.peapod.node.Engine;
import dev.peapod.node.HostRuntime;
import dev.peapod.node.NodeConfig;
import dev.peapod.node.Trace;
import dev.peapod.node.Warmup;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * {@code peapod up FILE…}: runs the pods of the given manifests in the foreground, like
 * {@code docker compose up}: validates everything before anything runs, streams every container's
 * log prefixed with {@code pod/container |}, prints lifecycle changes, and exits 0 when every pod
 * Succeeded, 1 when one Failed. Ctrl-C or SIGTERM terminates the pods gracefully.
 */
@Command(name = "up", description = "Run the pods of the given manifests in the foreground.")
public final class UpCommand implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Pod manifests (YAML or JSON, multi-document); ConfigMaps, Secrets and PersistentVolumeClaims in them are used by the pods.")
    List<Path> files;

    @Option(names = "--data-dir", defaultValue = "/var/lib/peapod", description = "State directory (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--timeout", description = "Bound the whole run (e.g. 90s, 5m); the pods are terminated gracefully when it passes.")
    String timeout;

    @Option(names = "--runtime", defaultValue = "crun", description = "OCI runtime: crun or runc (default: ${DEFAULT-VALUE}).")
    String runtime;

    @Option(names = "--cni-config-dir", description = "CNI network configuration directory (default: /etc/peapod/cni/net.d; a bridge network is written there when it holds none).")
    Path cniConfigDir;

    @Option(names = "--backoff-base", description = "First CrashLoopBackOff delay (default 10s).")
    String backoffBase;

    @Option(names = "--backoff-max", description = "CrashLoopBackOff cap (default 300s).")
    String backoffMax;

    @Option(names = "--image-gc-high-threshold", paramLabel = "PERCENT",
            description = "Disk usage of the image store's filesystem at which unused images are removed, least recently used first (default 85; 100 disables).")
    Integer imageGcHigh;

    @Option(names = "--image-gc-low-threshold", paramLabel = "PERCENT",
            description = "Disk usage that image garbage collection frees down to (default 80).")
    Integer imageGcLow;

    @Option(names = "--pod-pids-limit", defaultValue = "-1",
            description = "Most processes per pod, on the pod cgroup's pids.max (kubelet's podPidsLimit; default -1: unlimited).")
    long podPidsLimit;

    @Option(names = "--seccomp-default", description = "Run containers without a seccompProfile with RuntimeDefault instead of Unconfined (kubelet's seccompDefault).")
    boolean seccompDefault;

    @Option(names = "--allowed-unsafe-sysctls", split = ",", paramLabel = "SYSCTL",
            description = "Namespaced sysctls (or patterns ending in *) pods may set beyond the safe set, e.g. 'kernel.msg*,net.core.somaxconn' (kubelet's allowedUnsafeSysctls).")
    java.util.List<String> allowedUnsafeSysctls = java.util.List.of();

    @Option(names = "--no-color", description = "Do not colour the output.")
    boolean noColor;

    @Override
    public Integer call() throws Exception {
        Trace.mark("up: start");
        var config = config();
        // The host checks and the engine's first-time code paths run on the second core while this
        // thread parses the manifests (Jackson's first Pod is the largest cost of a cold start).
        // Nothing runs a container before the manifests are known to be valid.
        var host = new CompletableFuture<HostRuntime>();
        Thread.ofPlatform().daemon().name("warmup").start(() -> {
            try {
                var h = HostRuntime.open(config);
                Warmup.run(h.parts());
                Trace.mark("up: host open and warm");
                host.complete(h);
            } catch (Throwable t) {
                host.completeExceptionally(t);
            }
        });
        var pods = new ArrayList<Pod>();
        var configMaps = new ArrayList<ConfigMap>();
        var secrets = new ArrayList<Secret>();
        var claims = new ArrayList<PersistentVolumeClaim>();
        var problems = new ArrayList<String>();
        var podFiles = new ArrayList<Path>();
        for (Path f : files) {
            List<HasMetadata> objects;
            try {
                objects = Manifests.parseFile(f);
                Trace.mark("up: parsed " + f);
            } catch (ManifestException e) {
                problems.add(e.getMessage());
                continue;
            }
            for (HasMetadata o : objects) {
                switch (o) {
                    case Pod p -> {
                        PodDefaults.apply(p);
                        Trace.mark("up: defaulted");
                        // kube-apiserver's warnings (kubectl prints them as "Warning: ..."): e.g. two
                        // containers of the pod declaring one port in the shared network namespace.
                        for (String w : PodWarnings.warnings(p)) {
                            System.err.println("Warning: " + f + ": Pod \"" + p.getMetadata().getName() + "\": " + w);
                        }
                        for (FieldError err : PodValidator.validate(p)) {
                            problems.add(f + ": Pod \"" + p.getMetadata().getName() + "\" is invalid: " + err);
                        }
                        pods.add(p);
                        podFiles.add(f);
                    }
                    case ConfigMap c -> {
                        defaultNamespace(c);
                        for (FieldError err : ConfigObjectValidator.validate(c)) {
                            problems.add(f + ": ConfigMap \"" + c.getMetadata().getName() + "\" is invalid: " + err);
                        }
                        configMaps.add(c);
                    }
                    case Secret s -> {
                        defaultNamespace(s);
                        for (FieldError err : ConfigObjectValidator.validate(s)) {
                            problems.add(f + ": Secret \"" + s.getMetadata().getName() + "\" is invalid: " + err);
                        }
                        secrets.add(s);
                    }
                    case PersistentVolumeClaim c -> {
                        defaultNamespace(c);
                        for (FieldError err : PersistentVolumeClaimValidator.validate(c)) {
                            problems.add(f + ": PersistentVolumeClaim \"" + c.getMetadata().getName() + "\" is invalid: " + err);
                        }
                        claims.add(c);
                    }
                    default -> problems.add(f + ": " + o.getKind() + " \"" + o.getMetadata().getName()
                            + "\": kind not supported by peapod up (supported: Pod, ConfigMap, Secret, PersistentVolumeClaim)");
                }
            }
        }
        uniqueKeys(pods, "pods", problems);
        // Every claim a pod names must be among the files' claims (see missingClaims).
        var claimKeys = uniqueKeys(claims, "persistentvolumeclaims", problems);
        for (int i = 0; i < pods.size(); i++) {
            Pod p = pods.get(i);
            for (FieldError err : PersistentVolumeClaimValidator.missingClaims(p, claimKeys)) {
                problems.add(podFiles.get(i) + ": Pod \"" + p.getMetadata().getName() + "\" is invalid: " + err);
            }
        }
        Trace.mark("up: manifests parsed and validated");
        if (pods.isEmpty() && problems.isEmpty()) problems.add("no Pod found in " + files);
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("Error: " + p));
            return 1;
        }
        lintWarnings(pods, podFiles);
        Duration limit = timeout == null ? null : Durations.parse(timeout);
        var out = new UpPrinter(System.out, !noColor && System.console() != null);
        try (var parts = join(host)) {
            Trace.mark("up: host runtime open");
            parts.notes().forEach(out::note);
            // Registry access for imagePullPolicy (Always / a missing image): the host's registries.conf,
            // certs.d and credentials files, read at the first pull.
            var engineParts = parts.parts().withPuller(RegistryAccess.lazyPuller(parts.parts().images()));
            var engine = new Engine(config, engineParts, out, ConfigSource.of(configMaps, secrets, claims), java.time.Clock.systemUTC());
            Trace.mark("up: engine ready");
            return runPods(engine, pods, limit, out);
        }
    }

    /**
     * The objects' {@code namespace/name} keys; one object of a kind per key, as the API server
     * enforces (AlreadyExists), so a second one is a problem.
     */
    private static java.util.Set<String> uniqueKeys(List<? extends HasMetadata> objects, String resource, List<String> problems) {
        var keys = new java.util.HashSet<String>();
        for (HasMetadata o : objects) {
            String ns = o.getMetadata().getNamespace(), name = o.getMetadata().getName();
            if (!keys.add(ns + "/" + name)) {
                problems.add(resource + " \"" + name + "\" already exists in namespace \"" + ns + "\" (defined twice)");
            }
        }
        return keys;
    }

    /** As kubectl applies an object without a namespace: into "default". */
    private static void defaultNamespace(HasMetadata o) {
        if (o.getMetadata() == null) o.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
        if (o.getMetadata().getNamespace() == null) o.getMetadata().setNamespace("default");
    }

    private NodeConfig config() {
        var config = NodeConfig.defaults(dataDir).withRuntime(runtime).withPodPidsLimit(podPidsLimit);
        if (cniConfigDir != null) config = config.withCniConfigDir(cniConfigDir);
        if (backoffBase != null || backoffMax != null) {
            config = config.withBackoff(backoffBase == null ? config.backoffBase() : Durations.parse(backoffBase),
                    backoffMax == null ? config.backoffMax() : Durations.parse(backoffMax));
        }
        if (imageGcHigh != null || imageGcLow != null) {
            var gc = config.imageGc();
            config = config.withImageGc(new dev.peapod.node.gc.ImageGcPlanner.Policy(
                    imageGcHigh == null ? gc.highThresholdPercent() : imageGcHigh,
                    imageGcLow == null ? gc.lowThresholdPercent() : imageGcLow, gc.minAge()));
        }
        return config.withSecurity(config.security().withSeccompDefault(seccompDefault)
                .withAllowedUnsafeSysctls(allowedUnsafeSysctls));
    }

    private static HostRuntime join(CompletableFuture<HostRuntime> host) throws Exception {
        try {
            return host.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception cause) throw cause;
            throw e;
        }
    }

    private static int runPods(Engine engine, List<Pod> pods, Duration limit, UpPrinter out) throws Exception {
        var interrupted = new java.util.concurrent.atomic.AtomicReference<String>();
        var futures = new ArrayList<CompletableFuture<Pod>>();
        for (Pod p : pods) futures.add(engine.finished(engine.run(p).getMetadata().getUid()));
        var all = CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
        Signals.onTerminate(signal -> {
            if (interrupted.compareAndSet(null, signal)) {
                out.note("received SIG" + signal + ": stopping pods gracefully (again to force)");
                pods.forEach(p -> engine.terminate(p.getMetadata().getUid(), null));
            } else {
                pods.forEach(p -> engine.terminate(p.getMetadata().getUid(), Duration.ZERO));
            }
        });
        boolean timedOut = false;
        try {
            if (limit == null) all.get();
            else all.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            timedOut = true;
            out.note("timed out after " + limit + ": stopping pods gracefully");
            pods.forEach(p -> engine.terminate(p.getMetadata().getUid(), null));
            all.get();
        }
        int code = 0;
        for (var f : futures) {
            Pod p = f.get();
            String phase = p.getStatus() == null ? "Unknown" : p.getStatus().getPhase();
            out.podFinished(p);
            if (!"Succeeded".equals(phase)) code = 1;
            engine.remove(p.getMetadata().getUid());
        }
        out.close();
        engine.close();
        if (timedOut) return 124;
        if (interrupted.get() != null) return "INT".equals(interrupted.get()) ? 130 : 143;
        return code;
    }

    /**
     * {@code peapod lint}'s findings for the pods about to run: warnings one line each, like kube-apiserver's;
     * the practice ones (severity info) counted on one line, since nearly every quick experiment has them.
     */
    private static void lintWarnings(List<Pod> pods, List<Path> files) {
        var perPod = PodLinter.lintEach(pods);
        var all = new ArrayList<LintFinding>();
        for (int i = 0; i < pods.size(); i++) {
            for (var f : perPod.get(i)) {
                all.add(f);
                if (f.severity() == LintFinding.Severity.WARNING) System.err.println("Warning: " + LintCommand.line(files.get(i), f));
            }
        }
        String infos = PodLinter.Summary.of(all).infoCount();
        if (infos != null) {
            System.err.println("Lint: " + infos + "; `peapod lint " + files.stream().distinct().map(Path::toString).collect(Collectors.joining(" "))
                    + "` explains them");
        }
    }
}
