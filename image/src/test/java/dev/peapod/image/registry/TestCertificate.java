package dev.peapod.image.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed certificate for 127.0.0.1 made once per test JVM with the JDK's keytool, for
 * the fake registry's HTTPS: the PEM file goes into a certs.d directory, as a private registry's
 * CA would.
 */
record TestCertificate(Path keystore, Path certificate) {
    private static final String PASSWORD = "changeit";
    private static TestCertificate instance;

    static synchronized TestCertificate get() {
        if (instance == null) {
            try {
                Path dir = Files.createTempDirectory("fake-registry-tls");
                Path ks = dir.resolve("server.p12");
                Path pem = dir.resolve("server.crt");
                String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
                run(keytool, "-genkeypair", "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD,
                        "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2");
                run(keytool, "-exportcert", "-rfc", "-keystore", ks.toString(), "-storepass", PASSWORD, "-alias", "server",
                        "-file", pem.toString());
                instance = new TestCertificate(ks, pem);
            } catch (IOException e) {
                throw new IllegalStateException("failed to make a test certificate with keytool: " + e.getMessage(), e);
            }
        }
        return instance;
    }

    SSLContext serverContext() {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD.toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASSWORD.toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
