package dev.peapod.network;

/**
 * What the result cache keeps of a successful ADD: the configuration used, the attachment
 * parameters (container ID, interface, netns, CNI_ARGS, capability arguments) and the final
 * result. DEL and CHECK reuse all of it, because the spec (1.0, section 3) wants them to run with
 * the same configuration and parameters as the ADD, and a DEL after a restart of the runtime
 * knows nothing else.
 */
public record CachedAttachment(NetworkConfigList config, AttachmentRequest request, CniResult result) {
    public String networkName() { return config.name(); }
    public String containerId() { return request.containerId(); }
    public String ifName() { return request.ifName(); }
}
