package dev.peapod.image.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS trust for one registry host: the system CAs (the JDK's trust store) plus every
 * {@code *.crt} in {@code <certs.d>/<host:port>/} (containers-certs.d(5): {@code /etc/containers/certs.d},
 * {@code /etc/docker/certs.d}), the way podman and Docker let a private registry's CA be trusted
 * for that registry alone. Host names are still verified by the HTTP client.
 */
final class RegistryTls {
    static final List<Path> DEFAULT_CERTS_DIRS = List.of(Path.of("/etc/containers/certs.d"), Path.of("/etc/docker/certs.d"));

    private RegistryTls() {}

    /** An SSL context for {@code host} ({@code host[:port]} as in the reference). */
    static SSLContext forHost(String host, List<Path> certsDirs) {
        try {
            List<X509Certificate> extra = new ArrayList<>();
            for (Path dir : certsDirs) {
                Path hostDir = dir.resolve(host);
                if (!Files.isDirectory(hostDir)) {
                    continue;
                }
                try (var files = Files.list(hostDir)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".crt")).sorted().toList()) {
                        extra.addAll(certificates(f));
                    }
                }
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            X509TrustManager system = trustManager(null);
            TrustManager tm = extra.isEmpty() ? system : new Either(system, trustManager(extra));
            ctx.init(null, new TrustManager[] {tm}, null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new RegistryException(RegistryException.Kind.TLS, "failed to set up TLS for registry " + host
                    + ": " + e.getMessage(), e);
        }
    }

    /** For registries marked insecure: no certificate or host name checks at all. */
    static SSLContext insecure() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new TrustAll()}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<X509Certificate> certificates(Path file) throws IOException, CertificateException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            return out;
        }
    }

    /** The default trust manager over {@code cas}, or over the JDK's trust store when null. */
    private static X509TrustManager trustManager(List<X509Certificate> cas) throws GeneralSecurityException, IOException {
        KeyStore ks = null;
        if (cas != null) {
            ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                ks.setCertificateEntry("ca-" + i, cas.get(i));
            }
        }
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(ks);
        for (TrustManager tm : f.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509TrustManager");
    }

    /** Trusts a chain either trust manager trusts (system CAs, then the registry's own). */
    private record Either(X509TrustManager first, X509TrustManager second) implements X509TrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                first.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                second.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            List<X509Certificate> all = new ArrayList<>(List.of(first.getAcceptedIssuers()));
            all.addAll(List.of(second.getAcceptedIssuers()));
            return all.toArray(X509Certificate[]::new);
        }
    }

    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override public void checkClientTrusted(X509Certificate[] c, String a, Socket s) { }
        @Override public void checkServerTrusted(X509Certificate[] c, String a, Socket s) { }
        @Override public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) { }
        @Override public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) { }
        @Override public void checkClientTrusted(X509Certificate[] c, String a) { }
        @Override public void checkServerTrusted(X509Certificate[] c, String a) { }
        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }
}
