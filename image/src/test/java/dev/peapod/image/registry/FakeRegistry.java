package dev.peapod.image.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * An in-JVM OCI distribution registry over plain HTTP on 127.0.0.1 (com.sun.net.httpserver) for
 * the puller's tests: manifests by tag and digest, blobs, optional Basic or Bearer authentication
 * with a token endpoint, and per-path overrides for hostile answers. Counts blob GETs.
 */
final class FakeRegistry implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, Manifest> manifests = new ConcurrentHashMap<>();
    private final Map<String, HttpHandler> overrides = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> blobGets = new ConcurrentHashMap<>();
    final AtomicInteger tokenRequests = new AtomicInteger();
    private volatile String user;
    private volatile String password;
    private volatile boolean bearer;
    private static final String TOKEN = "fake-token-123";

    record Manifest(String mediaType, byte[] bytes) {}

    private final boolean tls;
    private final Path certsDir;

    /** A registry over HTTPS, its certificate trusted through {@link #certsDir}. */
    FakeRegistry() throws IOException {
        this(true);
    }

    /** @param tls false serves plain HTTP (an insecure registry) */
    FakeRegistry(boolean tls) throws IOException {
        this.tls = tls;
        if (tls) {
            HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            https.setHttpsConfigurator(new HttpsConfigurator(TestCertificate.get().serverContext()));
            server = https;
        } else {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        }
        certsDir = Files.createTempDirectory("fake-registry-certs");
        Path hostDir = Files.createDirectories(certsDir.resolve("127.0.0.1:" + server.getAddress().getPort()));
        Files.copy(TestCertificate.get().certificate(), hostDir.resolve("ca.crt"));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** A certs.d directory trusting this registry's certificate. */
    Path certsDir() {
        return certsDir;
    }

    /** registries.conf marking this registry insecure (plain HTTP). */
    RegistriesConf conf() {
        return RegistriesConf.parse("[[registry]]\nlocation = \"" + host() + "\"\ninsecure = true\n");
    }

    void basicAuth(String u, String p) {
        user = u;
        password = p;
        bearer = false;
    }

    void bearerAuth(String u, String p) {
        user = u;
        password = p;
        bearer = true;
    }

    void override(String path, HttpHandler h) {
        overrides.put(path, h);
    }

    String putBlob(byte[] content) {
        String d = sha256(content);
        blobs.put(d, content);
        return d;
    }

    String putManifest(String repo, String tag, String mediaType, byte[] bytes) {
        String d = sha256(bytes);
        manifests.put(repo + "@" + d, new Manifest(mediaType, bytes));
        if (tag != null) {
            manifests.put(repo + ":" + tag, new Manifest(mediaType, bytes));
        }
        return d;
    }

    int blobGets(String digest) {
        AtomicInteger n = blobGets.get(digest);
        return n == null ? 0 : n.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            HttpHandler o = overrides.get(path);
            if (path.equals("/token")) {
                token(ex);
                return;
            }
            if (user != null && !authorized(ex)) {
                String challenge = bearer
                        ? "Bearer realm=\"" + (tls ? "https" : "http") + "://" + host() + "/token\",service=\"fake\",scope=\"repository:test:pull\""
                        : "Basic realm=\"fake\"";
                ex.getResponseHeaders().add("WWW-Authenticate", challenge);
                send(ex, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}".getBytes());
                return;
            }
            if (o != null) {
                o.handle(ex);
                return;
            }
            // /v2/<repo>/manifests/<ref> or /v2/<repo>/blobs/<digest>
            int m = path.indexOf("/manifests/");
            int b = path.indexOf("/blobs/");
            if (m > 0) {
                String repo = path.substring(4, m);
                String ref = path.substring(m + "/manifests/".length());
                Manifest man = manifests.get(repo + (ref.startsWith("sha256:") ? "@" : ":") + ref);
                if (man == null) {
                    send(ex, 404, "application/json",
                            "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}".getBytes());
                    return;
                }
                ex.getResponseHeaders().add("Docker-Content-Digest", sha256(man.bytes()));
                send(ex, 200, man.mediaType(), man.bytes());
            } else if (b > 0) {
                String digest = path.substring(b + "/blobs/".length());
                blobGets.computeIfAbsent(digest, k -> new AtomicInteger()).incrementAndGet();
                byte[] content = blobs.get(digest);
                if (content == null) {
                    send(ex, 404, "application/json", "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown\"}]}".getBytes());
                    return;
                }
                send(ex, 200, "application/octet-stream", content);
            } else {
                send(ex, 404, "text/plain", new byte[0]);
            }
        }
    }

    private boolean authorized(HttpExchange ex) {
        String h = ex.getRequestHeaders().getFirst("Authorization");
        return bearer ? ("Bearer " + TOKEN).equals(h) : basic().equals(h);
    }

    private String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private void token(HttpExchange ex) throws IOException {
        tokenRequests.incrementAndGet();
        String q = ex.getRequestURI().getQuery();
        if (!basic().equals(ex.getRequestHeaders().getFirst("Authorization")) || q == null
                || !q.contains("service=fake") || !q.contains("scope=repository%3Atest%3Apull")
                && !q.contains("scope=repository:test:pull")) {
            send(ex, 401, "application/json", "{}".getBytes());
            return;
        }
        send(ex, 200, "application/json", ("{\"token\":\"" + TOKEN + "\"}").getBytes());
    }

    static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ---- building images ----

    /** A layer: its tar and its blob (gzip when asked). */
    record Layer(byte[] tar, byte[] blob, String mediaType) {
        static Layer plain(byte[] tar) {
            return new Layer(tar, tar, "application/vnd.oci.image.layer.v1.tar");
        }

        static Layer gzip(byte[] tar) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(tar);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Layer(tar, out.toByteArray(), "application/vnd.oci.image.layer.v1.tar+gzip");
        }
    }

    /** A tar of regular files {name, content, name, content…}; names written as given. */
    static byte[] tar(String... namesAndContents) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                byte[] c = namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(namesAndContents[i], true);
                e.setSize(c.length);
                e.setMode(0644);
                out.putArchiveEntry(e);
                out.write(c);
                out.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Stores config and layer blobs and an OCI manifest under {@code repo:tag}; returns the manifest digest. */
    String image(String repo, String tag, List<Layer> layers, Consumer<ObjectNode> editManifest) {
        ObjectNode config = JSON.createObjectNode();
        config.put("architecture", "amd64").put("os", "linux");
        config.putObject("config").set("Cmd", JSON.valueToTree(List.of("sh")));
        ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        layers.forEach(l -> diffIds.add(sha256(l.tar())));
        byte[] configBytes = bytes(config);
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2).put("mediaType", Manifests.OCI_MANIFEST);
        manifest.set("config", descriptor("application/vnd.oci.image.config.v1+json", putBlob(configBytes), configBytes.length));
        ArrayNode ls = manifest.putArray("layers");
        layers.forEach(l -> ls.add(descriptor(l.mediaType(), putBlob(l.blob()), l.blob().length)));
        editManifest.accept(manifest);
        return putManifest(repo, tag, Manifests.OCI_MANIFEST, bytes(manifest));
    }

    static ObjectNode descriptor(String mediaType, String digest, long size) {
        ObjectNode d = JSON.createObjectNode();
        d.put("mediaType", mediaType).put("digest", digest).put("size", size);
        return d;
    }

    static byte[] bytes(Object json) {
        try {
            return JSON.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
