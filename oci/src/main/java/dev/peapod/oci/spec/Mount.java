package dev.peapod.oci.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * One mount (config.md "Mounts").
 *
 * @param destination REQUIRED, absolute path inside the container
 * @param type        OPTIONAL filesystem type ({@code proc}, {@code tmpfs}, {@code bind}...)
 * @param source      OPTIONAL device name, file or directory (for bind mounts) or a dummy name
 * @param options     OPTIONAL mount(8) options ({@code rbind}, {@code ro}, {@code nosuid}...)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"destination", "type", "source", "options"})
public record Mount(String destination, String type, String source,
                    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> options) {
    public Mount {
        options = options == null ? List.of() : List.copyOf(options);
    }
}
