package dev.peapod.oci.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.Map;

/**
 * An OCI runtime-spec {@code config.json} (runtime-spec 1.0/1.1, "Configuration",
 * https://github.com/opencontainers/runtime-spec/blob/main/config.md), reduced to the fields
 * Peapod writes. Property names are exactly the spec's; optional properties are left out of the
 * JSON when null (or empty, where an empty value means the same as an absent one). Unknown
 * properties are ignored when reading, so a runtime-generated {@code config.json} parses.
 *
 * @param ociVersion  REQUIRED, SemVer of the spec the bundle complies with
 * @param process     OPTIONAL, the container process (required for {@code create})
 * @param root        OPTIONAL, the root filesystem
 * @param hostname    OPTIONAL; runtimes refuse it unless the container gets a new UTS namespace
 * @param mounts      OPTIONAL, mounted in order after the root filesystem
 * @param linux       OPTIONAL, Linux-specific configuration (config-linux.md)
 * @param annotations OPTIONAL, arbitrary metadata
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"ociVersion", "process", "root", "hostname", "mounts", "linux", "annotations"})
public record Spec(String ociVersion, Process process, Root root, String hostname, List<Mount> mounts,
                   Linux linux,
                   @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> annotations) {

    /** The runtime-spec version Peapod writes; crun 1.8 and runc 1.1 accept 1.0.x configs. */
    public static final String VERSION = "1.0.2";

    public Spec {
        mounts = mounts == null ? null : List.copyOf(mounts);
        annotations = annotations == null ? null : Map.copyOf(annotations);
    }
}
