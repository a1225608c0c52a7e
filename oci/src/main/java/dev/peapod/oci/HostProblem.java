package dev.peapod.oci;

import java.util.List;
import java.util.stream.Collectors;

/** One thing about the host that keeps Peapod from running containers, with the command that fixes it. */
public sealed interface HostProblem {
    /** What is wrong, in one sentence. */
    String message();

    /** The shell command (as root) that fixes it. */
    String fix();

    /** mount(2), cgroupfs and the runtimes need root. */
    record NotRoot(int euid) implements HostProblem {
        public String message() { return "Peapod must run as root, but its effective uid is " + euid; }
        public String fix() { return "sudo -E <peapod command>"; }
    }

    /** A tool is not installed; {@code debianPackage} ships it. */
    record MissingBinary(String binary, String debianPackage) implements HostProblem {
        public String message() { return binary + " is not installed"; }
        public String fix() { return "apt-get install -y " + debianPackage; }
    }

    /** overlayfs is not in /proc/filesystems: image layers cannot be stacked. */
    record NoOverlayfs() implements HostProblem {
        public String message() { return "the kernel has no overlay filesystem (not listed in /proc/filesystems)"; }
        public String fix() { return "modprobe overlay"; }
    }

    /**
     * Hybrid host with controllers enabled on the cgroup2 tree: crun 1.8 refuses to create
     * containers ("cgroups in hybrid mode not supported, drop all controllers from cgroupv2").
     * Mounting each controller as a v1 hierarchy takes it off cgroup2.
     */
    record HybridControllers(List<String> controllers) implements HostProblem {
        public HybridControllers { controllers = List.copyOf(controllers); }

        public String message() {
            return "cgroup controllers " + String.join(", ", controllers) + " are on the cgroup2 tree of a hybrid"
                    + " host, and crun refuses such hosts (\"cgroups in hybrid mode not supported, drop all"
                    + " controllers from cgroupv2\")";
        }

        public String fix() {
            return controllers.stream().map(c -> "mkdir -p /sys/fs/cgroup/" + c + " && mount -t cgroup -o " + c
                    + " cgroup /sys/fs/cgroup/" + c).collect(Collectors.joining(" && "));
        }
    }
}
