package dev.peapod.node;

import java.nio.file.Path;

/**
 * Where one pod's files live. Volatile things (bundles, mount points, /etc/hosts, the shm tmpfs)
 * sit under the run dir so that a reboot clears them; volumes and logs sit under the data dir.
 */
record PodPaths(Path runDir, Path dataDir) {

    static PodPaths of(NodeConfig config, String podUid) {
        return new PodPaths(config.runDir().resolve("pods").resolve(podUid),
                config.dataDir().resolve("pods").resolve(podUid));
    }

    Path hosts() { return runDir.resolve("etc-hosts"); }
    Path hostname() { return runDir.resolve("etc-hostname"); }
    Path resolvConf() { return runDir.resolve("resolv.conf"); }
    Path shm() { return runDir.resolve("shm"); }
    Path bundle(String containerId) { return runDir.resolve("containers").resolve(containerId); }
    Path subPaths(String containerId) { return runDir.resolve("subpaths").resolve(containerId); }
    Path volumes() { return dataDir.resolve("volumes"); }
    Path emptyDir(String name) { return volumes().resolve("kubernetes.io~empty-dir").resolve(name); }
    Path writable(String containerId) { return dataDir.resolve("containers").resolve(containerId); }
    Path logDir(String containerName) { return dataDir.resolve("logs").resolve(containerName); }
    Path log(String containerName, int attempt) { return logDir(containerName).resolve(attempt + ".log"); }
    Path terminationLog(String containerId) { return dataDir.resolve("termination").resolve(containerId); }
}
