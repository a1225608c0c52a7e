package dev.peapod.node.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peapod.oci.spec.Linux;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * A seccomp profile as written on disk, before it is fitted to one container: either the OCI
 * runtime-spec's {@code linux.seccomp} object (what containerd reads for a {@code Localhost}
 * profile) or the containers/common format ({@code /usr/share/containers/seccomp.json}, Docker's
 * {@code profiles/seccomp/default.json} lineage) whose rules carry {@code includes}/{@code excludes}
 * conditions on capabilities and architectures and whose architectures come from an
 * {@code archMap}. One parser reads both: the OCI format is the containers format without those
 * extras.
 *
 * <p>{@link #toOci} keeps a rule when all its {@code includes.caps} are in the container's
 * capability set, none of its {@code excludes.caps} is, and its architecture conditions admit the
 * native architecture — the way Docker's and Podman's {@code setupSeccomp} resolve the profile
 * against a container's capabilities, so e.g. {@code mount} is allowed exactly when
 * {@code CAP_SYS_ADMIN} was added. {@code includes.minKernel} is not evaluated: the rules that
 * carry it allow syscalls of kernels older than the 6.1 Peapod requires.
 *
 * @param architectures OCI format: the architectures as listed
 * @param archMap       containers format: for each native architecture, the sub-architectures to add
 */
public record SeccompProfile(String defaultAction, Long defaultErrnoRet, List<String> architectures,
                             List<ArchMap> archMap, List<Rule> syscalls) {

    /** The seccomp name of this JVM's architecture, e.g. {@code SCMP_ARCH_X86_64}. */
    public static final String NATIVE_ARCH = scmpArch(System.getProperty("os.arch"));

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public SeccompProfile {
        architectures = List.copyOf(architectures);
        archMap = List.copyOf(archMap);
        syscalls = List.copyOf(syscalls);
    }

    public record ArchMap(String architecture, List<String> subArchitectures) {}

    /** A rule as written, with the conditions under which it applies. */
    public record Rule(List<String> names, String action, Long errnoRet, List<Linux.SyscallArg> args,
                       Filter includes, Filter excludes) {}

    /** {@code arches} are Go names ({@code amd64}, {@code arm64}); {@code caps} are {@code CAP_*} names. */
    public record Filter(List<String> arches, List<String> caps) {
        static final Filter NONE = new Filter(List.of(), List.of());
    }

    /**
     * Parses a profile.
     *
     * @throws IllegalArgumentException naming what is wrong (not JSON, no defaultAction)
     */
    public static SeccompProfile parse(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON seccomp profile: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (root == null || !root.isObject() || !root.path("defaultAction").isTextual()) {
            throw new IllegalArgumentException("not a seccomp profile: no \"defaultAction\"");
        }
        var maps = new ArrayList<ArchMap>();
        for (JsonNode m : root.path("archMap")) {
            maps.add(new ArchMap(m.path("architecture").asText(), strings(m.path("subArchitectures"))));
        }
        var rules = new ArrayList<Rule>();
        for (JsonNode r : root.path("syscalls")) rules.add(rule(r));
        return new SeccompProfile(root.get("defaultAction").asText(), number(root.get("defaultErrnoRet")),
                strings(root.path("architectures")), maps, rules);
    }

    private static Rule rule(JsonNode r) {
        List<String> names = r.has("names") ? strings(r.get("names")) : List.of(r.path("name").asText());
        var args = new ArrayList<Linux.SyscallArg>();
        for (JsonNode a : r.path("args")) {
            args.add(new Linux.SyscallArg(a.path("index").asInt(), a.path("value").asLong(),
                    a.path("valueTwo").asLong(), a.path("op").asText()));
        }
        return new Rule(names, r.path("action").asText(), number(r.get("errnoRet")), args,
                filter(r.path("includes")), filter(r.path("excludes")));
    }

    private static Filter filter(JsonNode f) {
        return f.isObject() ? new Filter(strings(f.path("arches")), strings(f.path("caps"))) : Filter.NONE;
    }

    private static List<String> strings(JsonNode array) {
        var out = new ArrayList<String>();
        for (JsonNode n : array) out.add(n.asText());
        return out;
    }

    private static Long number(JsonNode n) { return n == null || !n.isNumber() ? null : n.asLong(); }

    /**
     * The OCI filter for a container with these capabilities on {@code arch} (a seccomp name
     * such as {@code SCMP_ARCH_X86_64}).
     */
    public Linux.Seccomp toOci(Collection<String> caps, String arch) {
        List<String> arches = architectures;
        if (arches.isEmpty()) {
            arches = archMap.stream().filter(m -> m.architecture().equals(arch)).findFirst()
                    .map(m -> {
                        var l = new ArrayList<String>(List.of(arch));
                        l.addAll(m.subArchitectures());
                        return (List<String>) l;
                    })
                    .orElse(archMap.isEmpty() ? List.of() : List.of(arch));
        }
        String goArch = goArch(arch);
        var rules = new ArrayList<Linux.Syscall>();
        for (Rule r : syscalls) {
            if (!applies(r, caps, goArch)) continue;
            rules.add(new Linux.Syscall(r.names(), r.action(), r.errnoRet(), r.args()));
        }
        return new Linux.Seccomp(defaultAction, defaultErrnoRet, arches, rules);
    }

    private static boolean applies(Rule r, Collection<String> caps, String goArch) {
        if (!r.includes().arches().isEmpty() && !r.includes().arches().contains(goArch)) return false;
        if (r.excludes().arches().contains(goArch)) return false;
        if (!caps.containsAll(r.includes().caps())) return false;
        return r.excludes().caps().stream().noneMatch(caps::contains);
    }

    /** JVM {@code os.arch} to libseccomp's name. */
    static String scmpArch(String osArch) {
        return switch (osArch == null ? "" : osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "SCMP_ARCH_X86_64";
            case "aarch64", "arm64" -> "SCMP_ARCH_AARCH64";
            case "ppc64le" -> "SCMP_ARCH_PPC64LE";
            case "s390x" -> "SCMP_ARCH_S390X";
            case "riscv64" -> "SCMP_ARCH_RISCV64";
            default -> "SCMP_ARCH_NATIVE";
        };
    }

    /** libseccomp's name to the Go name the containers format's {@code arches} use. */
    static String goArch(String scmpArch) {
        return switch (scmpArch) {
            case "SCMP_ARCH_X86_64" -> "amd64";
            case "SCMP_ARCH_X86" -> "x86";
            case "SCMP_ARCH_X32" -> "x32";
            case "SCMP_ARCH_AARCH64" -> "arm64";
            case "SCMP_ARCH_ARM" -> "arm";
            case "SCMP_ARCH_PPC64LE" -> "ppc64le";
            case "SCMP_ARCH_S390X" -> "s390x";
            case "SCMP_ARCH_RISCV64" -> "riscv64";
            default -> scmpArch;
        };
    }
}
