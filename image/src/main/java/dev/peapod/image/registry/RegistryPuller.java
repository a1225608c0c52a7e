package dev.peapod.image.registry;

import dev.peapod.image.ContentMismatchException;
import dev.peapod.image.Image;
import dev.peapod.image.ImageException;
import dev.peapod.image.ImageImport;
import dev.peapod.image.ImagePuller;
import dev.peapod.image.ImageReference;
import dev.peapod.image.LocalImageStore;
import dev.peapod.image.OpenSsl;
import dev.peapod.image.PullProgress;
import dev.peapod.image.registry.RegistryException.Kind;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Pulls images from OCI distribution registries into a {@link LocalImageStore}: the manifest
 * (an image index is narrowed to linux and this host's architecture), the config, then the layers
 * in parallel on virtual threads, each streamed, verified and unpacked in one pass by an
 * {@link ImageImport}; layers the store holds are not fetched. Mirrors from registries.conf are
 * tried first, then the registry itself. Concurrent pulls of one reference share one download
 * (single flight, as kubelet's serialized puller and containerd's fetch deduplication).
 */
public final class RegistryPuller implements ImagePuller, AutoCloseable {
    /** containerd's limit for manifests and indexes (core/remotes/docker/fetcher.go: 4 MiB). */
    static final int MAX_MANIFEST = 4 << 20;
    /** Image configs are JSON documents too; a generous bound on what is held in memory. */
    static final int MAX_CONFIG = 16 << 20;
    public static final int DEFAULT_PARALLEL = 6;

    /**
     * How the puller reaches registries.
     *
     * @param registries  containers-registries.conf: insecure registries, mirrors
     * @param certsDirs   certs.d directories with per-registry CAs
     * @param credentials credentials tried after a pull's own (Docker config file, {@code --creds})
     * @param tlsVerify   false trusts any certificate (like podman's {@code --tls-verify=false})
     * @param parallel    layers fetched at once
     */
    public record Options(RegistriesConf registries, List<Path> certsDirs, List<Credentials> credentials,
                          boolean tlsVerify, int parallel) {
        public Options {
            certsDirs = List.copyOf(certsDirs);
            credentials = List.copyOf(credentials);
        }

        /** The host's files: {@code /etc/containers/registries.conf}, the certs.d directories, no credentials. */
        public static Options host() {
            return new Options(RegistriesConf.read(RegistriesConf.DEFAULT), RegistryTls.DEFAULT_CERTS_DIRS, List.of(),
                    true, DEFAULT_PARALLEL);
        }

        public Options withCredentials(List<Credentials> more) {
            List<Credentials> all = new ArrayList<>(credentials);
            all.addAll(more);
            return new Options(registries, certsDirs, all, tlsVerify, parallel);
        }

        public Options withTlsVerify(boolean verify) {
            return new Options(registries, certsDirs, credentials, verify, parallel);
        }
    }

    private final LocalImageStore store;
    private final Options options;
    private final Map<String, CompletableFuture<Image>> inFlight = new ConcurrentHashMap<>();
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();

    public RegistryPuller(LocalImageStore store, Options options) {
        this.store = Objects.requireNonNull(store, "store");
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Ends the HTTP clients (their connections and selector threads) and waits briefly for them;
     * a later pull makes new ones. A short-lived process calls it before exiting: a selector
     * thread parked in native {@code epoll_wait} otherwise holds the JVM's exit for ~300 ms
     * (HotSpot's VM_Exit waits for threads in native code to block).
     */
    @Override
    public void close() {
        for (var it = clients.values().iterator(); it.hasNext(); ) {
            HttpClient client = it.next();
            it.remove();
            client.shutdownNow();
            try {
                client.awaitTermination(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public Image pull(String reference, List<Credentials> credentials, PullProgress progress) {
        ImageReference ref = ImageReference.parse(reference);
        String key = ref.toString();
        CompletableFuture<Image> mine = new CompletableFuture<>();
        CompletableFuture<Image> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return join(running);
        }
        // Layer digests come from libcrypto when the host has it (OpenSsl): its handles load in
        // the background while the manifest and config come in (hashed by the JDK).
        OpenSsl.preload();
        try {
            Image image = pullFromAny(ref, credentials, progress);
            mine.complete(image);
            return image;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    private static Image join(CompletableFuture<Image> running) {
        try {
            return running.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ImageException ie) {
                throw ie;
            }
            throw new ImageException(String.valueOf(e.getCause().getMessage()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(Kind.NETWORK, "interrupted while waiting for a pull", e);
        }
    }

    /** Mirrors first, then the registry; the registry's error is the one reported when all fail. */
    private Image pullFromAny(ImageReference ref, List<Credentials> credentials, PullProgress progress) {
        List<Credentials> all = new ArrayList<>(credentials);
        all.addAll(options.credentials());
        List<Source> sources = sources(ref);
        RegistryException last = null;
        for (int i = 0; i < sources.size(); i++) {
            Source source = sources.get(i);
            try {
                RegistryClient client = new RegistryClient(http(source), source.endpoint(), all);
                return new Pull(client, ref, progress).run();
            } catch (RegistryException e) {
                last = e;
                if (e.kind() == Kind.DIGEST_MISMATCH || e.kind() == Kind.REFUSED) {
                    break; // a hostile answer is not retried elsewhere under the same name
                }
                boolean answeredOverHttps = e.kind() != Kind.TLS && e.kind() != Kind.NETWORK;
                if (answeredOverHttps && i + 1 < sources.size() && isHttpTwin(sources.get(i + 1), source)) {
                    i++; // the registry speaks HTTPS: its plain-HTTP twin would only hide this answer
                }
            }
        }
        throw new RegistryException(last.kind(), "failed to pull image \"" + ref + "\": " + last.getMessage(), last);
    }

    private static boolean isHttpTwin(Source next, Source https) {
        return next.endpoint().base().getScheme().equals("http") && https.endpoint().base().getScheme().equals("https")
                && next.endpoint().base().getAuthority().equals(https.endpoint().base().getAuthority());
    }

    /** Where to pull from, in order. */
    record Source(RegistryClient.Endpoint endpoint, boolean insecure) {}

    List<Source> sources(ImageReference ref) {
        RegistriesConf.Registry conf = options.registries().find(ref.name());
        if (conf != null && conf.blocked()) {
            throw new RegistryException(Kind.REFUSED, "failed to pull image \"" + ref + "\": registry "
                    + conf.prefix() + " is blocked in registries.conf");
        }
        String remainder = ref.name().substring(conf == null ? ref.name().length() : conf.prefix().length());
        List<Source> out = new ArrayList<>();
        if (conf != null) {
            for (RegistriesConf.Mirror m : conf.mirrors()) {
                addSources(out, m.location() + remainder, m.insecure());
            }
            addSources(out, conf.location() + remainder, conf.insecure());
        } else {
            addSources(out, ref.name(), !options.tlsVerify());
        }
        return out;
    }

    /**
     * The endpoints of the repository {@code host[:port]/path}: HTTPS, and for an insecure
     * registry (registries.conf {@code insecure}, or {@code --tls-verify=false}) HTTPS without
     * certificate checks and then plain HTTP, as containers/image tries them. Docker Hub's API
     * lives on registry-1.docker.io.
     */
    private static void addSources(List<Source> out, String repository, boolean insecure) {
        int slash = repository.indexOf('/');
        String host = repository.substring(0, slash);
        String path = repository.substring(slash + 1);
        String apiHost = host.equals("docker.io") ? "registry-1.docker.io" : host;
        out.add(new Source(new RegistryClient.Endpoint(URI.create("https://" + apiHost), path, host), insecure));
        if (insecure) {
            out.add(new Source(new RegistryClient.Endpoint(URI.create("http://" + apiHost), path, host), true));
        }
    }

    private HttpClient http(Source source) {
        String host = source.endpoint().host();
        return clients.computeIfAbsent(source.endpoint().base() + "|" + host, k -> HttpClient.newBuilder()
                // HTTP/1.1: parallel layers on parallel connections; one HTTP/2 connection's flow
                // control window holds large downloads back.
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                // The connect timeout covers the TLS handshake: an insecure registry's HTTPS probe
                // must not hang on a plain-HTTP server that waits for a request line.
                .connectTimeout(Duration.ofSeconds(source.insecure() ? 3 : 30))
                .sslContext(source.insecure() || !options.tlsVerify()
                        ? RegistryTls.insecure() : RegistryTls.forHost(host, options.certsDirs()))
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build());
    }

    /** One pull from one source. */
    private final class Pull {
        private final RegistryClient client;
        private final ImageReference ref;
        private final PullProgress progress;

        Pull(RegistryClient client, ImageReference ref, PullProgress progress) {
            this.client = client;
            this.ref = ref;
            this.progress = progress;
        }

        Image run() {
            Manifests manifests = new Manifests(client);
            String wanted = ref.digest() != null ? ref.digest() : ref.tag();
            Manifests.Resolved resolved = manifests.resolve(wanted, ref.digest() != null, ref.familiar());
            Manifests.Image image = resolved.image();
            long total = image.layers().stream().mapToLong(Manifests.Descriptor::size).sum();
            progress.resolved(ref.toString(), resolved.digests().getLast(), image.layers().size(), total);
            try (ImageImport imp = store.beginImport()) {
                resolved.documents().forEach((digest, bytes) -> imp.putBlob(bytes, digest));
                byte[] config = config(imp, image.config());
                List<String> diffIds = ImageImport.diffIds(config, image.config().digest());
                if (diffIds.size() != image.layers().size()) {
                    throw new RegistryException(Kind.PROTOCOL, "manifest " + resolved.digests().getLast() + " lists "
                            + image.layers().size() + " layers but its config has " + diffIds.size() + " diff_ids");
                }
                layers(imp, image.layers(), diffIds);
                String name = ref.tag() == null ? null : ref.withoutDigest().toString();
                return imp.commit(name, resolved.digests(), image.config().digest(), diffIds,
                        image.layers().stream().map(Manifests.Descriptor::digest).toList());
            }
        }

        private byte[] config(ImageImport imp, Manifests.Descriptor d) {
            byte[] stored = imp.storedBlob(d.digest());
            if (stored != null) {
                return stored;
            }
            byte[] bytes = manifests().blob(d, MAX_CONFIG, "config " + d.digest());
            imp.putBlob(bytes, d.digest());
            return bytes;
        }

        private Manifests manifests() {
            return new Manifests(client);
        }

        /** Fetches the layers the store lacks, {@link Options#parallel} at a time, each once. */
        private void layers(ImageImport imp, List<Manifests.Descriptor> layers, List<String> diffIds) {
            Map<String, Manifests.Descriptor> todo = new LinkedHashMap<>();
            for (int i = 0; i < layers.size(); i++) {
                if (imp.hasLayer(diffIds.get(i))) {
                    progress.layerExists(layers.get(i).digest(), layers.get(i).size());
                } else {
                    todo.putIfAbsent(diffIds.get(i), layers.get(i));
                }
            }
            OpenSsl.loadNow(); // the layers' bytes are hashed twice (blob, diff_id): wait for libcrypto
            Semaphore slots = new Semaphore(Math.max(1, options.parallel()));
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> running = new ArrayList<>();
                todo.forEach((diffId, d) -> running.add(pool.submit(() -> {
                    slots.acquire();
                    try {
                        fetchLayer(imp, d, diffId);
                    } finally {
                        slots.release();
                    }
                    return null;
                })));
                for (Future<?> f : running) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        running.forEach(other -> other.cancel(true));
                        if (e.getCause() instanceof RuntimeException re) {
                            throw re;
                        }
                        throw new ImageException(String.valueOf(e.getCause().getMessage()), e.getCause());
                    } catch (InterruptedException e) {
                        running.forEach(other -> other.cancel(true));
                        Thread.currentThread().interrupt();
                        throw new RegistryException(Kind.NETWORK, "interrupted", e);
                    }
                }
            }
        }

        private void fetchLayer(ImageImport imp, Manifests.Descriptor d, String diffId) {
            progress.layer(d.digest(), d.size(), 0);
            HttpResponse<InputStream> r = client.get("blobs/" + d.digest(), null, "layer " + d.digest());
            try (InputStream in = r.body()) {
                imp.putLayer(in, d.digest(), d.size(), diffId, done -> progress.layer(d.digest(), d.size(), done));
            } catch (java.io.IOException e) {
                throw new RegistryException(Kind.NETWORK, "failed to fetch layer " + d.digest() + ": network: "
                        + e.getMessage(), e);
            } catch (ContentMismatchException e) {
                throw new RegistryException(Kind.DIGEST_MISMATCH, e.getMessage(), e);
            } catch (RegistryException e) {
                throw e;
            } catch (ImageException e) {
                // The content matched its digest: the layer itself is refused (an entry escaping it).
                throw new RegistryException(Kind.REFUSED, e.getMessage(), e);
            }
        }
    }
}
