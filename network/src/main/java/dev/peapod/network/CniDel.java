package dev.peapod.network;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * DEL of an attachment (CNI spec 1.0, section 3, "Deleting an attachment"): the plugins in
 * reverse order, each given the final ADD result as {@code prevResult}. It is built to be
 * repeated and to work after a restart of Peapod:
 * <ul>
 *   <li>the cached configuration, CNI_ARGS and capability arguments of the ADD are used, so the
 *       plugins see what they saw on ADD even if the configuration directory changed since;</li>
 *   <li>without a cache entry (never added, already deleted, or unreadable), the current
 *       configuration runs without {@code prevResult}, which the spec allows ("When CNI_NETNS
 *       and/or prevResult are not provided, the plugin should clean up as many resources as
 *       possible");</li>
 *   <li>CNI_NETNS is left out when the path is no longer a network namespace (section 2 makes it
 *       optional for DEL): bridge 1.1.1 then releases the lease, whereas a stale path makes it fail
 *       with "unknown FS magic".</li>
 * </ul>
 * The cache entry goes only after every plugin succeeded, so a failed DEL can be retried as is.
 */
final class CniDel {
    private final PluginInvoker invoker;
    private final ResultCache cache;
    private final Predicate<Path> liveNetns;

    CniDel(PluginInvoker invoker, ResultCache cache, Predicate<Path> liveNetns) {
        this.invoker = invoker;
        this.cache = cache;
        this.liveNetns = liveNetns;
    }

    void run(NetworkConfigList current, AttachmentRequest request) {
        Optional<CachedAttachment> cached;
        boolean unreadable = false;
        try {
            cached = cache.find(current.name(), request.containerId(), request.ifName());
        } catch (NetworkException e) {
            cached = Optional.empty();
            unreadable = true;
        }
        NetworkConfigList list = cached.map(CachedAttachment::config).orElse(current);
        AttachmentRequest effective = cached.map(CachedAttachment::request).orElse(request);
        Path netns = request.netns() != null ? request.netns() : effective.netns();
        ObjectNode prevResult = cached.isPresent() && CniVersion.atLeast(list.cniVersion(), "0.4.0")
                ? cached.get().result().raw() : null;
        runChain(list, effective, netns, prevResult);
        cache.delete(list.name(), request.containerId(), request.ifName());
        if (unreadable) cache.delete(current.name(), request.containerId(), request.ifName());
    }

    /** Runs DEL on every plugin of {@code list} in reverse order; stops at the first failure (section 3, step 4). */
    private void runChain(NetworkConfigList list, AttachmentRequest request, Path netns, ObjectNode prevResult) {
        Path netnsArg = netnsArg(netns);
        List<PluginConfig> plugins = list.plugins();
        for (int i = plugins.size() - 1; i >= 0; i--) {
            delOne(list, plugins.get(i), request, netnsArg, prevResult);
        }
    }

    /**
     * Undoes a failed ADD: DEL on the first {@code called} plugins in reverse, without
     * {@code prevResult} (there is no final result), going on past failures, which it returns.
     */
    List<RuntimeException> rollback(NetworkConfigList list, int called, AttachmentRequest request) {
        Path netnsArg = netnsArg(request.netns());
        List<RuntimeException> failures = new ArrayList<>();
        for (int i = called - 1; i >= 0; i--) {
            try {
                delOne(list, list.plugins().get(i), request, netnsArg, null);
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        return failures;
    }

    private void delOne(NetworkConfigList list, PluginConfig plugin, AttachmentRequest request, Path netns,
                        ObjectNode prevResult) {
        ObjectNode stdin = ExecConfig.derive(list, plugin, prevResult, request.capabilityArgs());
        invoker.invoke("DEL", plugin, stdin, request, netns);
    }

    private Path netnsArg(Path netns) {
        return netns != null && liveNetns.test(netns) ? netns : null;
    }
}
