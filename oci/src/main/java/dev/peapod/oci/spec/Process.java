package dev.peapod.oci.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * The container process (config.md "Process"). Note the name shadows {@code java.lang.Process}
 * wherever it is imported by its single-type name.
 *
 * @param terminal        OPTIONAL, attach a pseudo-terminal (default false); always written
 * @param user            REQUIRED on Linux
 * @param args            REQUIRED for {@code start}, execve(2) argv; args[0] is the executable
 * @param env             OPTIONAL, "NAME=VALUE" entries
 * @param cwd             REQUIRED, absolute working directory
 * @param capabilities    OPTIONAL capability sets (config.md "Linux process")
 * @param rlimits         OPTIONAL setrlimit(2) values
 * @param noNewPrivileges OPTIONAL, prctl(PR_SET_NO_NEW_PRIVS); always written
 * @param oomScoreAdj     OPTIONAL, /proc/[pid]/oom_score_adj
 * @param apparmorProfile OPTIONAL AppArmor profile name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"terminal", "user", "args", "env", "cwd", "capabilities", "rlimits", "noNewPrivileges",
        "oomScoreAdj", "apparmorProfile"})
public record Process(boolean terminal, User user, List<String> args, List<String> env, String cwd,
                      Capabilities capabilities,
                      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Rlimit> rlimits,
                      boolean noNewPrivileges, Integer oomScoreAdj, String apparmorProfile) {

    public Process {
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? List.of() : List.copyOf(env);
        rlimits = rlimits == null ? List.of() : List.copyOf(rlimits);
    }

    /**
     * The user the process runs as (config.md "POSIX process", user).
     *
     * @param uid            REQUIRED user id in the container's namespace
     * @param gid            REQUIRED group id
     * @param umask          OPTIONAL umask; null leaves the runtime's default (0022)
     * @param additionalGids OPTIONAL supplementary groups
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"uid", "gid", "umask", "additionalGids"})
    public record User(long uid, long gid, Integer umask,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Long> additionalGids) {
        public User {
            additionalGids = additionalGids == null ? List.of() : List.copyOf(additionalGids);
        }
    }

    /**
     * The five capability sets, each a list of names like {@code CAP_CHOWN}. All are written, even
     * when empty: an empty bounding set is a deliberate "no capabilities".
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"bounding", "effective", "inheritable", "permitted", "ambient"})
    public record Capabilities(List<String> bounding, List<String> effective, List<String> inheritable,
                               List<String> permitted, List<String> ambient) {
        public Capabilities {
            bounding = bounding == null ? List.of() : List.copyOf(bounding);
            effective = effective == null ? List.of() : List.copyOf(effective);
            inheritable = inheritable == null ? List.of() : List.copyOf(inheritable);
            permitted = permitted == null ? List.of() : List.copyOf(permitted);
            ambient = ambient == null ? List.of() : List.copyOf(ambient);
        }
    }

    /**
     * One resource limit (config.md "POSIX process", rlimits).
     *
     * @param type {@code RLIMIT_NOFILE}, {@code RLIMIT_NPROC}...
     * @param hard ceiling for the soft limit; raising it above the runtime's own hard limit fails
     *             with EPERM
     * @param soft the limit the kernel enforces
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"type", "hard", "soft"})
    public record Rlimit(String type, long hard, long soft) {}
}
