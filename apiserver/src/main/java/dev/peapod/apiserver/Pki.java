package dev.peapod.apiserver;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;

/**
 * The credentials of {@code peapod serve}, made on first start under {@code <data-dir>/pki}: a
 * self-signed CA ({@code ca.crt}, {@code ca.key}), a serving certificate it signed for
 * {@code localhost}, {@code 127.0.0.1} and the listen address ({@code apiserver.crt},
 * {@code apiserver.key}; ECDSA P-256, as kubeadm can), and a random bearer token ({@code token}).
 * Later starts read them back, so a written kubeconfig stays valid. Keys and token are mode 0600.
 */
public record Pki(X509Certificate ca, X509Certificate serving, KeyPair servingKey, String token) {
    private static final Duration CA_VALIDITY = Duration.ofDays(3650), SERVING_VALIDITY = Duration.ofDays(365);

    /** Loads the credentials in {@code dir}, creating what is missing; the serving cert is remade when its names or validity no longer fit. */
    public static Pki loadOrCreate(Path dir, String address) {
        try {
            Files.createDirectories(dir);
            Path caCrt = dir.resolve("ca.crt"), caKey = dir.resolve("ca.key");
            Path crt = dir.resolve("apiserver.crt"), key = dir.resolve("apiserver.key"), tokenFile = dir.resolve("token");
            if (!Files.exists(caCrt) || !Files.exists(caKey)) {
                KeyPair k = ecKey();
                X509Certificate c = sign(new X500Name("CN=peapod-ca"), k, new X500Name("CN=peapod-ca"), k, CA_VALIDITY, true, List.of());
                writePrivate(caKey, pem(k.getPrivate()));
                writeAtomically(caCrt, pem(c));
            }
            X509Certificate ca = (X509Certificate) readPem(caCrt);
            KeyPair caKeys = new KeyPair(ca.getPublicKey(), (PrivateKey) readPem(caKey));
            List<String> names = sans(address);
            if (!Files.exists(crt) || !Files.exists(key) || !fits((X509Certificate) readPem(crt), names)) {
                KeyPair k = ecKey();
                X509Certificate c = sign(new X500Name("CN=peapod-ca"), caKeys, new X500Name("CN=kube-apiserver"), k, SERVING_VALIDITY, false, names);
                writePrivate(key, pem(k.getPrivate()));
                writeAtomically(crt, pem(c));
            }
            if (!Files.exists(tokenFile)) {
                byte[] random = new byte[32];
                new SecureRandom().nextBytes(random);
                writePrivate(tokenFile, HexFormat.of().formatHex(random) + "\n");
            }
            X509Certificate serving = (X509Certificate) readPem(crt);
            return new Pki(ca, serving, new KeyPair(serving.getPublicKey(), (PrivateKey) readPem(key)), Files.readString(tokenFile).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("failed to set up the API server credentials in " + dir + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("failed to make the API server credentials: " + e.getMessage(), e);
        }
    }

    private static List<String> sans(String address) {
        var names = new java.util.ArrayList<>(List.of("localhost", "127.0.0.1"));
        if (address != null && !names.contains(address) && !address.equals("0.0.0.0")) names.add(address);
        return names;
    }

    private static boolean fits(X509Certificate c, List<String> names) throws GeneralSecurityException {
        if (c.getNotAfter().toInstant().isBefore(Instant.now().plus(Duration.ofDays(30)))) return false;
        var have = new java.util.HashSet<String>();
        if (c.getSubjectAlternativeNames() != null) for (List<?> san : c.getSubjectAlternativeNames()) have.add(san.get(1).toString());
        return have.containsAll(names);
    }

    /** A PKCS#12 key store in memory with the serving key and its chain, for the TLS connector. */
    public KeyStore keyStore(char[] password) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("apiserver", servingKey.getPrivate(), password, new java.security.cert.Certificate[] {serving, ca});
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("failed to build the TLS key store: " + e.getMessage(), e);
        }
    }

    public String caPem() { return pem(ca); }

    /** The kubeconfig a client uses: server, the CA to trust, the bearer token. */
    public String kubeconfig(String server) {
        String caData = Base64.getEncoder().encodeToString(caPem().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: peapod
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                users:
                - name: peapod-admin
                  user:
                    token: %s
                contexts:
                - name: peapod
                  context:
                    cluster: peapod
                    user: peapod-admin
                    namespace: default
                current-context: peapod
                """.formatted(server, caData, token);
    }

    private static KeyPair ecKey() throws GeneralSecurityException {
        var g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X500Name issuer, KeyPair issuerKeys, X500Name subject, KeyPair subjectKeys, Duration validity,
                                        boolean isCa, List<String> names) throws GeneralSecurityException, IOException,
            org.bouncycastle.operator.OperatorCreationException {
        Instant now = Instant.now();
        var b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, new SecureRandom()), Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(validity)), subject, subjectKeys.getPublic());
        var ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKeys.getPublic()));
        if (isCa) {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
        } else {
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            GeneralName[] sans = names.stream().map(n -> new GeneralName(
                    n.matches("[0-9.]+|.*:.*") ? GeneralName.iPAddress : GeneralName.dNSName, n)).toArray(GeneralName[]::new);
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
        }
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    /** PEM of a certificate, or of a private key as PKCS#8 ("PRIVATE KEY"). */
    private static String pem(Object o) {
        var out = new StringWriter();
        try (var w = new JcaPEMWriter(out)) {
            if (o instanceof PrivateKey k) w.writeObject(new JcaPKCS8Generator(k, null));
            else w.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** A certificate, or a private key (PKCS#8). */
    private static Object readPem(Path file) throws IOException, GeneralSecurityException {
        try (var p = new PEMParser(new StringReader(Files.readString(file)))) {
            Object o = p.readObject();
            if (o instanceof org.bouncycastle.cert.X509CertificateHolder h) return new JcaX509CertificateConverter().getCertificate(h);
            if (o instanceof PrivateKeyInfo k) return new JcaPEMKeyConverter().getPrivateKey(k);
            throw new IOException(file + ": unexpected PEM content " + (o == null ? "(empty)" : o.getClass().getSimpleName()));
        }
    }

    private static void writePrivate(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
