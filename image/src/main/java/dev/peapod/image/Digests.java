package dev.peapod.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/** Digest strings ({@code algorithm:hex}) as go-digest validates them. */
final class Digests {
    private static final Pattern WELL_FORMED =
            Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");
    private static final Pattern LOWER_HEX = Pattern.compile("[a-f0-9]+");
    /** go-digest's registered algorithms and their encoded lengths. */
    private static final Map<String, Integer> HEX_LENGTH = Map.of("sha256", 64, "sha384", 96, "sha512", 128);

    private Digests() {}

    /** Returns why {@code digest} is invalid (go-digest {@code Validate} wording), or null when it is valid. */
    static String validate(String digest) {
        int colon = digest.indexOf(':');
        if (colon <= 0 || colon == digest.length() - 1) {
            return "invalid checksum digest format";
        }
        Integer length = HEX_LENGTH.get(digest.substring(0, colon));
        if (length == null) {
            return WELL_FORMED.matcher(digest).matches()
                    ? "unsupported digest algorithm" : "invalid checksum digest format";
        }
        String hex = digest.substring(colon + 1);
        if (hex.length() != length) {
            return "invalid checksum digest length";
        }
        return LOWER_HEX.matcher(hex).matches() ? null : "invalid checksum digest format";
    }

    /** True for {@code sha256:<64 lower-case hex>}, the only algorithm the store keeps. */
    static boolean isSha256(String digest) {
        return digest != null && digest.startsWith("sha256:") && validate(digest) == null;
    }

    /** The hex part of a validated sha256 digest; throws when it is not one. */
    static String hex(String digest) {
        if (!isSha256(digest)) {
            throw new ImageException("failed to use digest \"" + digest + "\": not a sha256 digest");
        }
        return digest.substring("sha256:".length());
    }

    /** SHA-256 from libcrypto when the host has it ({@link OpenSsl}: fast in a cold JVM), else the JDK's. */
    static MessageDigest sha256() {
        if (OpenSsl.available()) {
            return new OpenSslSha256();
        }
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    static String of(MessageDigest finished) {
        return "sha256:" + HexFormat.of().formatHex(finished.digest());
    }

    static String of(byte[] content) {
        MessageDigest md = sha256();
        md.update(content);
        return of(md);
    }
}
