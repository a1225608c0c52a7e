package dev.peapod.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.node.HostAddress;
import dev.peapod.store.Key;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.StoreException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * The one Node, as kubelet registers and reports it: the host's name, addresses, capacity
 * (CPUs, memory, kubelet's default of 110 pods) equal to allocatable (no reservations), the
 * Ready condition and node info. Written on every start (created, or its status replaced).
 */
final class NodeObject {
    /** kubelet's --max-pods default. */
    static final int MAX_PODS = 110;

    private NodeObject() {}

    static void register(ObjectStore store, String name, String runtime, Instant now) {
        var key = new Key("nodes", "", name);
        ObjectNode status = status(name, runtime, now);
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
                    o.set("status", status);
                    store.create(key, o);
                } else {
                    ObjectNode o = current.get().object().deepCopy();
                    o.set("status", status);
                    store.update(key, o, current.get().revision());
                }
                return;
            } catch (StoreException.Conflict | StoreException.AlreadyExists | StoreException.NotFound e) {
                // written concurrently (a kubectl label?): read again
            }
        }
    }

    private static ObjectNode status(String name, String runtime, Instant now) {
        String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
        var s = StoredObjects.JSON.createObjectNode();
        for (String field : new String[] {"capacity", "allocatable"}) {
            s.putObject(field).put("cpu", Integer.toString(Runtime.getRuntime().availableProcessors()))
                    .put("memory", memTotal()).put("pods", Integer.toString(MAX_PODS));
        }
        var conditions = s.putArray("conditions");
        condition(conditions.addObject(), "MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", time);
        condition(conditions.addObject(), "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", time);
        condition(conditions.addObject(), "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", time);
        condition(conditions.addObject(), "Ready", "True", "KubeletReady", "kubelet is posting ready status", time);
        var addresses = s.putArray("addresses");
        addresses.addObject().put("type", "InternalIP").put("address", HostAddress.primary());
        addresses.addObject().put("type", "Hostname").put("address", name);
        s.putObject("daemonEndpoints").putObject("kubeletEndpoint").put("Port", 0);
        s.putObject("nodeInfo").put("machineID", read("/etc/machine-id")).put("systemUUID", "").put("bootID", read("/proc/sys/kernel/random/boot_id"))
                .put("kernelVersion", read("/proc/sys/kernel/osrelease")).put("osImage", osImage())
                .put("containerRuntimeVersion", runtime).put("kubeletVersion", "v1.32.0-peapod").put("kubeProxyVersion", "")
                .put("operatingSystem", "linux").put("architecture", "amd64");
        return s;
    }

    private static void condition(ObjectNode c, String type, String status, String reason, String message, String time) {
        c.put("type", type).put("status", status).put("lastHeartbeatTime", time).put("lastTransitionTime", time)
                .put("reason", reason).put("message", message);
    }

    /** MemTotal of /proc/meminfo as a quantity in Ki, as kubelet's cadvisor reports it. */
    private static String memTotal() {
        for (String line : read("/proc/meminfo").lines().toList()) {
            if (line.startsWith("MemTotal:")) return line.replaceAll("\\D", "") + "Ki";
        }
        return "0";
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

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
