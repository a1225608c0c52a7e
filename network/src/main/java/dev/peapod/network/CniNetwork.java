package dev.peapod.network;

import dev.peapod.oci.ProcessRunner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One CNI network: attaches network namespaces to it and detaches them by running the plugin
 * chain of its configuration list exactly as the CNI specification 1.0 describes (sections 2, 3
 * and 5), with libcni's result cache so that DEL and CHECK work across restarts.
 *
 * <p>Contract: thread safe. Operations on one attachment (container ID, interface) are serialized
 * (the spec forbids parallel operations on one container); different attachments run in
 * parallel (plugins lock their shared state themselves). All calls block while plugins run, each
 * plugin run bounded by {@link Options#timeout()}. Failures of plugins are {@link CniException}s,
 * others {@link NetworkException}s.
 * <ul>
 *   <li>{@link #add} either returns the result or leaves nothing behind (it runs DEL on failure);</li>
 *   <li>{@link #del} is idempotent and needs nothing but the container ID and interface when the
 *       attachment is cached, even in a new process;</li>
 *   <li>{@link #check} compares the attachment against its cached ADD result.</li>
 * </ul>
 */
public final class CniNetwork {
    /**
     * @param pluginDirs where plugin executables are looked for, in order; also CNI_PATH
     * @param cacheDir   the result cache directory (one JSON file per attachment)
     * @param timeout    the longest one plugin run may take before it is killed
     */
    public record Options(List<Path> pluginDirs, Path cacheDir, Duration timeout) {
        /** Debian's containernetworking-plugins go to /usr/lib/cni; upstream tarballs to /opt/cni/bin. */
        public static final List<Path> DEFAULT_PLUGIN_DIRS = List.of(Path.of("/usr/lib/cni"), Path.of("/opt/cni/bin"));
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

        public Options {
            pluginDirs = List.copyOf(pluginDirs);
            if (pluginDirs.isEmpty()) throw new IllegalArgumentException("no plugin directories");
        }

        public static Options defaults(Path cacheDir) {
            return new Options(DEFAULT_PLUGIN_DIRS, cacheDir, DEFAULT_TIMEOUT);
        }
    }

    private final NetworkConfigList config;
    private final ResultCache cache;
    private final CniAdd add;
    private final CniDel del;
    private final CniCheck check;
    private final AttachmentLocks locks = new AttachmentLocks();

    public CniNetwork(NetworkConfigList config, Options options, ProcessRunner runner) {
        this(config, options, runner, NetnsManager::isNetns);
    }

    /** @param liveNetns tells whether a path is a network namespace (tests fake it) */
    CniNetwork(NetworkConfigList config, Options options, ProcessRunner runner, Predicate<Path> liveNetns) {
        this.config = config;
        this.cache = new ResultCache(options.cacheDir());
        PluginInvoker invoker = new PluginInvoker(options.pluginDirs(), runner, options.timeout());
        this.del = new CniDel(invoker, cache, liveNetns);
        this.add = new CniAdd(invoker, cache, del);
        this.check = new CniCheck(invoker, cache);
    }

    public NetworkConfigList config() {
        return config;
    }

    /** ADD: attaches {@code request.netns()} and returns the chain's final result (also cached). */
    public CniResult add(AttachmentRequest request) {
        return locked(request, () -> add.run(config, request));
    }

    /**
     * DEL: detaches the attachment, with the configuration and parameters cached by its ADD when
     * there are any (a request's non-null netns overrides the cached one). Success when there is
     * nothing to delete.
     */
    public void del(AttachmentRequest request) {
        locked(request, () -> {
            del.run(config, request);
            return null;
        });
    }

    /** CHECK: asks every plugin whether the attachment still matches its cached ADD result. */
    public void check(AttachmentRequest request) {
        locked(request, () -> {
            check.run(config, request);
            return null;
        });
    }

    /** The cached attachment of (containerId, ifName) on this network or, failing that, any network. */
    public Optional<CachedAttachment> cached(String containerId, String ifName) {
        return cache.find(config.name(), containerId, ifName);
    }

    /** Every cached attachment, for garbage collection after a restart (libcni's GetCachedAttachments). */
    public List<CachedAttachment> cachedAttachments() {
        return cache.list();
    }

    private <T> T locked(AttachmentRequest request, Supplier<T> action) {
        ReentrantLock lock = locks.lockFor(request.containerId(), request.ifName());
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }
}
