package dev.peapod.oci.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The container's root filesystem (config.md "Root").
 *
 * @param path     REQUIRED, absolute or relative to the bundle
 * @param readonly OPTIONAL in the spec (default false); always written
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"path", "readonly"})
public record Root(String path, boolean readonly) {}
