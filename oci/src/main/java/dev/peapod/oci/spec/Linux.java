package dev.peapod.oci.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.Map;

/**
 * Linux-specific configuration (config-linux.md). Lists that the spec makes optional are left
 * out of the JSON when empty, which the spec treats the same as absent.
 *
 * @param namespaces    namespaces to create (no path) or join (path); a type left out is shared
 *                      with the runtime's own
 * @param uidMappings   user-namespace uid mappings
 * @param gidMappings   user-namespace gid mappings
 * @param resources     cgroup limits
 * @param cgroupsPath   the container's cgroup, absolute or relative to the runtime's
 * @param sysctl        kernel parameters set in the container's namespaces
 * @param maskedPaths   paths over which the runtime mounts /dev/null (files) or an empty tmpfs
 * @param readonlyPaths paths the runtime remounts read-only
 * @param seccomp       seccomp filter; null means none
 * @param mountLabel    SELinux label for mounts
 * @param devices       device nodes the runtime creates in the container's /dev, beyond its
 *                      default ones (all of the host's for a privileged container)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"namespaces", "uidMappings", "gidMappings", "devices", "resources", "cgroupsPath", "sysctl",
        "maskedPaths", "readonlyPaths", "seccomp", "mountLabel"})
public record Linux(List<Namespace> namespaces,
                    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<IdMapping> uidMappings,
                    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<IdMapping> gidMappings,
                    Resources resources, String cgroupsPath,
                    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> sysctl,
                    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> maskedPaths,
                    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> readonlyPaths,
                    Seccomp seccomp, String mountLabel,
                    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Device> devices) {

    /** Without extra devices. */
    public Linux(List<Namespace> namespaces, List<IdMapping> uidMappings, List<IdMapping> gidMappings,
                 Resources resources, String cgroupsPath, Map<String, String> sysctl, List<String> maskedPaths,
                 List<String> readonlyPaths, Seccomp seccomp, String mountLabel) {
        this(namespaces, uidMappings, gidMappings, resources, cgroupsPath, sysctl, maskedPaths, readonlyPaths,
                seccomp, mountLabel, List.of());
    }

    public Linux withDevices(List<Device> d) {
        return new Linux(namespaces, uidMappings, gidMappings, resources, cgroupsPath, sysctl, maskedPaths,
                readonlyPaths, seccomp, mountLabel, d);
    }

    /**
     * A device node (config-linux.md "Devices").
     *
     * @param type     {@code c} (character) or {@code b} (block)
     * @param fileMode permission bits of the node
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"path", "type", "major", "minor", "fileMode", "uid", "gid"})
    public record Device(String path, String type, long major, long minor, int fileMode, long uid, long gid) {}

    public Linux {
        devices = devices == null ? List.of() : List.copyOf(devices);
        namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
        uidMappings = uidMappings == null ? List.of() : List.copyOf(uidMappings);
        gidMappings = gidMappings == null ? List.of() : List.copyOf(gidMappings);
        sysctl = sysctl == null ? Map.of() : Map.copyOf(sysctl);
        maskedPaths = maskedPaths == null ? List.of() : List.copyOf(maskedPaths);
        readonlyPaths = readonlyPaths == null ? List.of() : List.copyOf(readonlyPaths);
    }

    /**
     * One namespace (config-linux.md "Namespaces").
     *
     * @param type {@code pid}, {@code network}, {@code mount}, {@code ipc}, {@code uts},
     *             {@code user} or {@code cgroup}
     * @param path a namespace file to join ({@code /proc/<pid>/ns/net}); null creates a new one
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"type", "path"})
    public record Namespace(String type, String path) {
        public static Namespace create(String type) { return new Namespace(type, null); }
        public static Namespace join(String type, String path) { return new Namespace(type, path); }
    }

    /** A user-namespace id mapping (config-linux.md "User namespace mappings"). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"containerID", "hostID", "size"})
    public record IdMapping(long containerID, long hostID, long size) {}

    /**
     * A seccomp filter (config-linux.md "Seccomp"): the default action for every syscall no rule
     * names, the architectures the filter covers and the rules.
     *
     * @param defaultAction   e.g. {@code SCMP_ACT_ERRNO}
     * @param defaultErrnoRet the errno of an {@code SCMP_ACT_ERRNO} default; null: EPERM
     * @param architectures   e.g. {@code SCMP_ARCH_X86_64}; empty: the native one only
     * @param syscalls        rules, applied by the runtime in order
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"defaultAction", "defaultErrnoRet", "architectures", "syscalls"})
    public record Seccomp(String defaultAction, Long defaultErrnoRet,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> architectures,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Syscall> syscalls) {
        public Seccomp {
            architectures = architectures == null ? List.of() : List.copyOf(architectures);
            syscalls = syscalls == null ? List.of() : List.copyOf(syscalls);
        }
    }

    /** One seccomp rule: an action for a set of syscall names, optionally only when the arguments match. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"names", "action", "errnoRet", "args"})
    public record Syscall(List<String> names, String action, Long errnoRet,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<SyscallArg> args) {
        public Syscall {
            names = names == null ? List.of() : List.copyOf(names);
            args = args == null ? List.of() : List.copyOf(args);
        }
    }

    /**
     * A condition on one syscall argument (config-linux.md "Seccomp", args).
     *
     * @param index    the argument's position (0-5)
     * @param value    compared with the argument
     * @param valueTwo the second operand of {@code SCMP_CMP_MASKED_EQ}
     * @param op       {@code SCMP_CMP_EQ}, {@code SCMP_CMP_NE}, {@code SCMP_CMP_MASKED_EQ}...
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"index", "value", "valueTwo", "op"})
    public record SyscallArg(int index, long value, long valueTwo, String op) {}
}
