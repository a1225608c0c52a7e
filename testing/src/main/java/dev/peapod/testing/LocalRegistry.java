package dev.peapod.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OCI distribution registry for tests: Debian's {@code docker-registry} (distribution 2.8)
 * started on 127.0.0.1 with TLS (a CA and a server certificate for 127.0.0.1 made by openssl for
 * this registry alone) and htpasswd basic authentication (bcrypt, {@code htpasswd -B}). Images are
 * pushed with {@code skopeo copy}. A missing tool fails the test naming the Debian package.
 *
 * <p>{@link #certsDir} is a certs.d directory holding {@code <host:port>/ca.crt}, as
 * containers-certs.d(5) wants it. Close to stop the registry.
 */
public final class LocalRegistry implements AutoCloseable {
    public static final String USER = "peapod";
    public static final String PASSWORD = "registry-secret";

    private final Path dir;
    private final int port;
    private final Process process;

    private LocalRegistry(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Starts a registry with TLS and basic auth, its files under {@code dir}. */
    public static LocalRegistry start(Path dir) throws IOException, InterruptedException {
        return start(dir, true);
    }

    /** @param auth false serves anyone (still TLS) */
    public static LocalRegistry start(Path dir, boolean auth) throws IOException, InterruptedException {
        require("/usr/bin/docker-registry", "docker-registry");
        require("/usr/bin/htpasswd", "apache2-utils");
        require("/usr/bin/openssl", "openssl");
        require("/usr/bin/skopeo", "skopeo");
        Files.createDirectories(dir);
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                "-days", "2", "-subj", "/CN=peapod test CA");
        run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                "-subj", "/CN=127.0.0.1");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.ext");
        Files.writeString(dir.resolve("htpasswd"), run(dir, "htpasswd", "-Bbn", USER, PASSWORD));
        int port = freePort();
        String config = """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %1$s/data
                  maintenance:
                    uploadpurging:
                      enabled: false
                http:
                  addr: 127.0.0.1:%2$d
                  tls:
                    certificate: %1$s/server.crt
                    key: %1$s/server.key
                """.formatted(dir.toAbsolutePath(), port);
        if (auth) {
            config += """
                    auth:
                      htpasswd:
                        realm: peapod-test
                        path: %s/htpasswd
                    """.formatted(dir.toAbsolutePath());
        }
        Files.writeString(dir.resolve("config.yml"), config);
        Path certs = dir.resolve("certs.d").resolve("127.0.0.1:" + port);
        Files.createDirectories(certs);
        Files.copy(dir.resolve("ca.crt"), certs.resolve("ca.crt"));
        Process p = new ProcessBuilder("/usr/bin/docker-registry", "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        LocalRegistry r = new LocalRegistry(dir, port, p);
        r.awaitListening();
        return r;
    }

    /** {@code 127.0.0.1:port}. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    /** A certs.d directory with this registry's CA. */
    public Path certsDir() {
        return dir.resolve("certs.d");
    }

    public Path caCert() {
        return dir.resolve("ca.crt");
    }

    /** Where the registry keeps a blob's bytes (its filesystem driver's layout), to corrupt it. */
    public Path blobData(String digest) {
        String hex = digest.substring("sha256:".length());
        return dir.resolve("data/docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
    }

    /**
     * Pushes with {@code skopeo copy}: {@code source} is a skopeo transport reference
     * ({@code oci-archive:/x.tar}, {@code oci:/dir:tag}); {@code all} copies every platform of an index.
     */
    public void push(String source, String repoTag, boolean all) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "copy", "--quiet", "--dest-cert-dir",
                certsDir().resolve(host()).toString(), "--dest-creds", USER + ":" + PASSWORD));
        if (all) cmd.add("--all");
        cmd.add(source);
        cmd.add("docker://" + host() + "/" + repoTag);
        run(dir, cmd.toArray(String[]::new));
    }

    private void awaitListening() throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited at start: " + log());
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        close();
        throw new IllegalStateException("docker-registry did not listen on " + host() + " in 20s: " + log());
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("registry.log"));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void require(String path, String pkg) {
        if (!Files.isExecutable(Path.of(path))) {
            throw new IllegalStateException(path + " is missing: install the Debian package " + pkg
                    + " (apt-get install " + pkg + "; scripts/test-all installs it)");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Runs a tool in {@code dir}; returns its stdout, throws with its output when it fails. */
    static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.PIPE).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + new String(err, StandardCharsets.UTF_8)
                    + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
