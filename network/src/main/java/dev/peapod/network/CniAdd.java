package dev.peapod.network;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * ADD of a configuration list (CNI spec 1.0, section 3, "Adding an attachment"): each plugin in
 * order, the first with no {@code prevResult}, every later one with the result of the one before;
 * the final result is cached.
 *
 * <p>The spec wants "a delete ... executed even if the add fails", so a failed ADD is rolled back
 * before it is reported: an ADD either succeeds or leaves nothing behind (containerd and cri-o
 * tear down one layer up). The rollback runs DEL on the plugins that were called, in reverse, and
 * goes on past failures: a plugin whose DEL fails for the same reason its ADD did (an invalid
 * runtimeConfig, say) must not keep bridge from releasing the address it leased.
 */
final class CniAdd {
    private final PluginInvoker invoker;
    private final ResultCache cache;
    private final CniDel del;

    CniAdd(PluginInvoker invoker, ResultCache cache, CniDel del) {
        this.invoker = invoker;
        this.cache = cache;
        this.del = del;
    }

    CniResult run(NetworkConfigList list, AttachmentRequest request) {
        if (request.netns() == null) {
            throw new NetworkException("failed to set up pod network " + list.name() + ": no network namespace given");
        }
        cache.find(list.name(), request.containerId(), request.ifName()).ifPresent(existing -> {
            // "A runtime should not call ADD twice (without an intervening DEL) for the same
            // (CNI_CONTAINERID, CNI_IFNAME) tuple" (section 2).
            throw new NetworkException("failed to set up pod network " + list.name() + ": attachment "
                    + request.containerId() + "/" + request.ifName() + " exists already on network "
                    + existing.networkName() + "; tear it down first");
        });
        int called = 0;
        ObjectNode previous = null;
        try {
            for (PluginConfig plugin : list.plugins()) {
                called++;
                previous = addOne(list, plugin, previous, request);
            }
            CniResult result = parse(list.plugins().getLast(), previous);
            cache.write(new CachedAttachment(list, request, result));
            return result;
        } catch (RuntimeException e) {
            del.rollback(list, called, request).forEach(e::addSuppressed);
            throw e;
        }
    }

    private ObjectNode addOne(NetworkConfigList list, PluginConfig plugin, ObjectNode previous, AttachmentRequest request) {
        ObjectNode stdin = ExecConfig.derive(list, plugin, previous, request.capabilityArgs());
        ObjectNode out = invoker.invoke("ADD", plugin, stdin, request, request.netns());
        if (out == null) {
            // Section 2: "If the CNI plugin is successful, it must output a result structure".
            throw new CniException(plugin.type(), "ADD", CniException.NO_CODE, "plugin printed no result", "", "", null);
        }
        return out;
    }

    private static CniResult parse(PluginConfig last, ObjectNode out) {
        try {
            return CniResult.parse(out);
        } catch (IllegalArgumentException e) {
            throw new CniException(last.type(), "ADD", CniException.NO_CODE, "plugin printed an invalid result",
                    e.getMessage(), "", e);
        }
    }
}
