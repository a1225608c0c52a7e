package dev.peapod.apiserver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * gzip for large responses, as kube-apiserver's response writer does it (APIResponseCompression,
 * on by default since 1.16; k8s.io/apiserver/pkg/endpoints/handlers/responsewriters): only when the
 * client accepts gzip (Go's transport always asks) and the body is larger than 128 KiB, at level 1
 * (least CPU, kubernetes/kubernetes#112296), with {@code Content-Encoding: gzip} and
 * {@code Vary: Accept-Encoding}. Smaller bodies go as they are: compressing them costs more than
 * it saves, the more so on loopback.
 */
final class ResponseCompression {
    /** kube-apiserver's defaultGzipThresholdBytes. */
    static final int THRESHOLD = 128 * 1024;

    private ResponseCompression() {}

    /** Whether a body of {@code length} bytes is sent gzipped to a client sending {@code acceptEncoding}. */
    static boolean wanted(String acceptEncoding, int length) {
        if (length <= THRESHOLD || acceptEncoding == null) return false;
        for (String coding : acceptEncoding.split(",")) {
            String[] parts = coding.trim().split(";");
            if (!parts[0].trim().equalsIgnoreCase("gzip")) continue;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim().replace(" ", "");
                if (p.equals("q=0") || p.matches("q=0\\.0*")) return false; // RFC 9110 12.5.3: q=0 means "not acceptable"
            }
            return true;
        }
        return false;
    }

    /** {@code body} as a gzip stream at level 1. */
    static byte[] gzip(byte[] body) {
        var out = new ByteArrayOutputStream(body.length / 4 + 64);
        try (var gz = new GZIPOutputStream(out, 64 * 1024) {
            { def.setLevel(Deflater.BEST_SPEED); }
        }) {
            gz.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }
}
