package dev.peapod.network;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;

/**
 * CHECK of an attachment (CNI spec 1.0, section 3, "Checking an attachment"): every plugin in
 * order, each given the cached final ADD result as {@code prevResult}, with the ADD's parameters.
 * Not for attachments that were never added (the spec forbids it), nor when the list sets
 * {@code disableCheck} (then it succeeds at once), nor for lists older than 0.4.0.
 */
final class CniCheck {
    private final PluginInvoker invoker;
    private final ResultCache cache;

    CniCheck(PluginInvoker invoker, ResultCache cache) {
        this.invoker = invoker;
        this.cache = cache;
    }

    void run(NetworkConfigList current, AttachmentRequest request) {
        CachedAttachment cached = cache.find(current.name(), request.containerId(), request.ifName())
                .orElseThrow(() -> new NetworkException("failed to check pod network " + current.name()
                        + ": attachment " + request.containerId() + "/" + request.ifName() + " was never added"));
        NetworkConfigList list = cached.config();
        if (list.disableCheck()) return;
        if (!CniVersion.atLeast(list.cniVersion(), "0.4.0")) {
            throw new NetworkException("failed to check pod network " + list.name() + ": CHECK needs cniVersion 0.4.0 or later, the network has "
                    + list.cniVersion());
        }
        AttachmentRequest effective = cached.request();
        Path netns = request.netns() != null ? request.netns() : effective.netns();
        ObjectNode prevResult = cached.result().raw();
        for (PluginConfig plugin : list.plugins()) {
            ObjectNode stdin = ExecConfig.derive(list, plugin, prevResult, effective.capabilityArgs());
            invoker.invoke("CHECK", plugin, stdin, effective, netns);
        }
    }
}
