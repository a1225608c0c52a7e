package dev.peapod.node.volume;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Issues the service account tokens of projected {@code serviceAccountToken} sources: JWTs signed
 * with ES256 by a node key pair, with the claims kube-apiserver puts in a bound token
 * (https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-tokens):
 * {@code iss}, {@code sub = system:serviceaccount:<ns>:<sa>}, {@code aud}, {@code exp}, {@code iat},
 * {@code nbf}, {@code jti} and the {@code kubernetes.io} claim naming the namespace, the pod and the
 * service account. The key pair is made on first use and kept in {@code dir} ({@code signing.key},
 * PKCS#8, mode 0600; {@code signing.pub}, X.509, for whoever verifies the tokens); the JWS
 * {@code kid} is the base64url SHA-256 of the public key, as kube-apiserver derives it.
 *
 * <p>Contract: thread safe (immutable after {@link #open}); {@link #open} blocks on file I/O.
 */
public final class ServiceAccountTokens {
    /** kubeadm's default {@code --service-account-issuer}; also the default audience (the API server's). */
    public static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
    /** kubelet's token manager renews a token older than this whatever its TTL (token_manager.go maxTTL). */
    static final Duration MAX_TTL = Duration.ofHours(24);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    /** What a token is for. */
    public record Request(String namespace, String serviceAccount, String podName, String podUid,
                          String audience, Duration ttl) {}

    /** A signed token and when kubelet would renew it: past 80% of its TTL, or after 24 h. */
    public record Token(String jwt, Instant issuedAt, Instant expiresAt) {
        public Instant refreshAt() {
            Instant at80 = expiresAt.minus(Duration.between(issuedAt, expiresAt).multipliedBy(20).dividedBy(100));
            Instant day = issuedAt.plus(MAX_TTL);
            return at80.isBefore(day) ? at80 : day;
        }
    }

    private final PrivateKey key;
    private final PublicKey publicKey;
    private final String keyId;

    private ServiceAccountTokens(KeyPair pair) throws GeneralSecurityException {
        this.key = pair.getPrivate();
        this.publicKey = pair.getPublic();
        this.keyId = B64.encodeToString(MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded()));
    }

    /** Loads the node's signing key pair from {@code dir}, making it first if there is none. */
    public static ServiceAccountTokens open(Path dir) throws IOException {
        try {
            Path priv = dir.resolve("signing.key"), pub = dir.resolve("signing.pub");
            if (!Files.exists(priv)) create(dir, priv, pub);
            var kf = KeyFactory.getInstance("EC");
            var pair = new KeyPair(kf.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(pub))),
                    kf.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(priv))));
            return new ServiceAccountTokens(pair);
        } catch (GeneralSecurityException e) {
            throw new IOException("failed to load the service account signing key from " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void create(Path dir, Path priv, Path pub) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        var gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = gen.generateKeyPair();
        // The public half first: whoever sees signing.key can rely on signing.pub being there.
        publish(pub, pair.getPublic().getEncoded(), "rw-r--r--");
        publish(priv, pair.getPrivate().getEncoded(), "rw-------");
    }

    /** Writes a file whole, with its mode from the start, and renames it in; a concurrent first writer wins. */
    private static void publish(Path file, byte[] bytes, String mode) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(tmp, bytes);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            // another engine made the key first: keep its file
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public PublicKey publicKey() { return publicKey; }

    /** Signs a token for {@code r}, valid from {@code now} for {@code r.ttl()}. */
    public Token issue(Request r, Instant now) {
        Instant exp = now.plus(r.ttl());
        var header = new LinkedHashMap<String, Object>();
        header.put("alg", "ES256");
        header.put("kid", keyId);
        var claims = new LinkedHashMap<String, Object>();
        claims.put("aud", List.of(r.audience() == null || r.audience().isEmpty() ? ISSUER : r.audience()));
        claims.put("exp", exp.getEpochSecond());
        claims.put("iat", now.getEpochSecond());
        claims.put("iss", ISSUER);
        claims.put("jti", java.util.UUID.randomUUID().toString());
        claims.put("kubernetes.io", Map.of(
                "namespace", r.namespace(),
                "pod", Map.of("name", r.podName(), "uid", r.podUid()),
                "serviceaccount", Map.of("name", r.serviceAccount())));
        claims.put("nbf", now.getEpochSecond());
        claims.put("sub", "system:serviceaccount:" + r.namespace() + ":" + r.serviceAccount());
        try {
            String signingInput = B64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + B64.encodeToString(JSON.writeValueAsBytes(claims));
            // JWS ES256 wants the raw r||s signature (RFC 7518 §3.4), not DER.
            var sig = Signature.getInstance("SHA256withECDSAinP1363Format");
            sig.initSign(key);
            sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return new Token(signingInput + "." + B64.encodeToString(sig.sign()), now, exp);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("failed to sign a service account token: " + e.getMessage(), e);
        }
    }

    /**
     * Checks an ES256 token's signature against {@code key} and returns its claims.
     *
     * @throws IllegalArgumentException when the token is malformed or the signature does not verify
     */
    public static Map<String, Object> verify(String jwt, PublicKey key) {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) throw new IllegalArgumentException("not a JWS compact token");
        try {
            var sig = Signature.getInstance("SHA256withECDSAinP1363Format");
            sig.initVerify(key);
            sig.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!sig.verify(Base64.getUrlDecoder().decode(parts[2]))) throw new IllegalArgumentException("signature does not verify");
            @SuppressWarnings("unchecked")
            Map<String, Object> claims = JSON.readValue(Base64.getUrlDecoder().decode(parts[1]), Map.class);
            return claims;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("invalid token: " + e.getMessage(), e);
        }
    }
}
