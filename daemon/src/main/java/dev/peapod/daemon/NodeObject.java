package dev.peapod.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.node.HostAddress;
import dev.peapod.store.Key;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.StoreException;

import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * The one Node, as kubelet registers and reports it: the host's name, addresses, capacity (CPUs,
 * memory, the data directory's filesystem as ephemeral-storage, kubelet's default of 110 pods),
 * allocatable as kubelet computes it (capacity less the hard eviction thresholds; no reservations),
 * the conditions ({@link NodeConditions}) and node info. {@link #report} creates it on start and
 * on each heartbeat ({@link NodeHeartbeat}) replaces its status when kubelet would
 * ({@link NodeStatusReport}: on a meaningful change, else every 5 min).
 */
final class NodeObject {
    /** kubelet's --max-pods default. */
    static final int MAX_PODS = 110;

    private NodeObject() {}

    /** What a report did: the Node's uid, and whether the Node was created or its status written. */
    record Reported(String uid, boolean posted) {}

    /**
     * Creates the Node, or computes its status at {@code now} and replaces the stored one if
     * {@code policy} says so ({@code lastPost}: when this process last wrote it, null if never).
     */
    static Reported report(ObjectStore store, String name, String runtime, Instant now, NodeConditions.Signals signals,
                           NodeStatusReport policy, Instant lastPost) {
        var key = new Key("nodes", "", name);
        for (int attempt = 0; attempt < 5; attempt++) {
            var current = store.get(key);
            try {
                if (current.isEmpty()) {
                    var o = StoredObjects.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Node");
                    o.putObject("metadata").put("name", name).put("uid", UUID.randomUUID().toString())
                            .put("creationTimestamp", now.truncatedTo(ChronoUnit.SECONDS).toString())
                            .putObject("labels").put("kubernetes.io/hostname", name).put("kubernetes.io/os", "linux")
                            .put("kubernetes.io/arch", "amd64").put("beta.kubernetes.io/os", "linux").put("beta.kubernetes.io/arch", "amd64");
                    o.putObject("spec");
                    o.set("status", status(name, runtime, now, signals, StoredObjects.JSON.createArrayNode()));
                    return new Reported(store.create(key, o).uid(), true);
                } else {
                    JsonNode stored = current.get().object();
                    var status = status(name, runtime, now, signals, stored.at("/status/conditions"));
                    if (!policy.post(stored.path("status"), status, lastPost, now)) return new Reported(current.get().uid(), false);
                    ObjectNode o = stored.deepCopy();
                    o.set("status", status);
                    return new Reported(store.update(key, o, current.get().revision()).uid(), true);
                }
            } catch (StoreException.Conflict | StoreException.AlreadyExists | StoreException.NotFound e) {
                // written concurrently (a kubectl label?): read again
            }
        }
        throw new StoreException.Failed("node " + name + " not reported: too many conflicting writes", null);
    }

    static ObjectNode status(String name, String runtime, Instant now, NodeConditions.Signals signals, JsonNode previousConditions) {
        var s = StoredObjects.JSON.createObjectNode();
        String cpu = Integer.toString(Runtime.getRuntime().availableProcessors());
        var thresholds = NodeConditions.KUBELET_DEFAULTS;
        s.putObject("capacity").put("cpu", cpu).put("ephemeral-storage", signals.nodefsCapacity() / 1024 + "Ki")
                .put("hugepages-1Gi", "0").put("hugepages-2Mi", "0")
                .put("memory", signals.memoryCapacity() / 1024 + "Ki").put("pods", Integer.toString(MAX_PODS));
        // Node Allocatable = capacity - kube-reserved - system-reserved - hard eviction threshold
        // (https://kubernetes.io/docs/tasks/administer-cluster/reserve-compute-resources/#node-allocatable).
        long memory = Math.max(0, signals.memoryCapacity() - thresholds.memoryAvailableBytes());
        long storage = (long) (signals.nodefsCapacity() * (1 - thresholds.nodefsAvailableFraction()));
        s.putObject("allocatable").put("cpu", cpu).put("ephemeral-storage", Long.toString(storage))
                .put("hugepages-1Gi", "0").put("hugepages-2Mi", "0")
                .put("memory", memory / 1024 + "Ki").put("pods", Integer.toString(MAX_PODS));
        s.set("conditions", NodeConditions.conditions(signals, thresholds, previousConditions, now));
        var addresses = s.putArray("addresses");
        addresses.addObject().put("type", "InternalIP").put("address", HostAddress.primary());
        addresses.addObject().put("type", "Hostname").put("address", name);
        // kubelet's NodeFeatures setter (pkg/kubelet/nodestatus/setters.go) reports whether the
        // runtime supports supplementalGroupsPolicy and ContainerStatus.user (KEP-3619); Peapod
        // does both (Strict skips /etc/group; containerStatuses[].user comes from each spec).
        s.putObject("features").put("supplementalGroupsPolicy", true);
        s.putObject("daemonEndpoints").putObject("kubeletEndpoint").put("Port", 0);
        s.putObject("nodeInfo").put("machineID", read("/etc/machine-id")).put("systemUUID", "").put("bootID", read("/proc/sys/kernel/random/boot_id"))
                .put("kernelVersion", read("/proc/sys/kernel/osrelease")).put("osImage", osImage())
                .put("containerRuntimeVersion", runtime).put("kubeletVersion", "v1.32.0-peapod").put("kubeProxyVersion", "")
                .put("operatingSystem", "linux").put("architecture", "amd64");
        return s;
    }

    /** {@code crun://1.8.1}, from the first line of {@code crun --version} ("crun version 1.8.1"). */
    static String runtimeVersion(String runtime) {
        try {
            var p = new ProcessBuilder(runtime, "--version").redirectErrorStream(true).start();
            String first = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("");
            p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            String[] words = first.trim().split("\\s+");
            return runtime + "://" + words[words.length - 1];
        } catch (IOException e) {
            return runtime + "://unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return runtime + "://unknown";
        }
    }

    private static String osImage() {
        for (String line : read("/etc/os-release").lines().toList()) {
            if (line.startsWith("PRETTY_NAME=")) return line.substring("PRETTY_NAME=".length()).replace("\"", "");
        }
        return "Linux";
    }

    private static String read(String file) { return HostSignals.read(file); }
}
