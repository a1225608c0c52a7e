package dev.peapod.apiserver;

import dev.peapod.store.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** gzip as kube-apiserver does it: bodies over 128 KiB, for clients that accept it (kubectl does). */
class ResponseCompressionTest {
    @Test
    void onlyLargeBodiesForClientsThatAcceptGzip() {
        int large = ResponseCompression.THRESHOLD + 1;
        assertThat(ResponseCompression.wanted("gzip", large)).isTrue();
        assertThat(ResponseCompression.wanted("deflate, GZIP;q=0.5", large)).isTrue();
        assertThat(ResponseCompression.wanted("gzip", ResponseCompression.THRESHOLD)).isFalse();
        assertThat(ResponseCompression.wanted(null, large)).isFalse();
        assertThat(ResponseCompression.wanted("identity", large)).isFalse();
        assertThat(ResponseCompression.wanted("gzip;q=0", large)).isFalse();
        assertThat(ResponseCompression.wanted("x-gzip", large)).isFalse();
    }

    @Test
    void aLargeListIsSentGzippedAndDecodesToTheSameJson(@TempDir Path dir) throws Exception {
        try (var server = new TestServer(dir)) {
            for (int i = 0; i < 3; i++) { // 3 × 60 KB of data: a list over the threshold
                var cm = Json.object().put("apiVersion", "v1").put("kind", "ConfigMap");
                Json.meta(cm).put("name", "big-" + i).put("namespace", "default").put("uid", UUID.randomUUID().toString());
                cm.putObject("data").put("blob", "x".repeat(60_000));
                server.store.create(new Key("configmaps", "default", "big-" + i), cm);
            }
            try (var http = HttpClient.newBuilder().sslContext(trusting(server)).build()) {
                var plain = get(http, server, "/api/v1/namespaces/default/configmaps", null);
                var gzipped = get(http, server, "/api/v1/namespaces/default/configmaps", "gzip");
                var small = get(http, server, "/version", "gzip");

                assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
                assertThat(plain.body().length).isGreaterThan(ResponseCompression.THRESHOLD);
                assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
                assertThat(gzipped.headers().allValues("Vary")).contains("Accept-Encoding");
                assertThat(gzipped.body().length).isLessThan(plain.body().length / 10);
                byte[] decoded;
                try (var in = new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
                    decoded = in.readAllBytes();
                }
                assertThat(Json.parse(new String(decoded, StandardCharsets.UTF_8))).isEqualTo(Json.parse(new String(plain.body(), StandardCharsets.UTF_8)));
                assertThat(small.headers().firstValue("Content-Encoding")).isEmpty();
                assertThat(Json.parse(new String(small.body(), StandardCharsets.UTF_8)).has("gitVersion")).isTrue();
            }
        }
    }

    private static HttpResponse<byte[]> get(HttpClient http, TestServer server, String path, String acceptEncoding) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(server.url + path)).header("Authorization", "Bearer " + server.pki.token());
        if (acceptEncoding != null) b.header("Accept-Encoding", acceptEncoding);
        var r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        return r;
    }

    private static SSLContext trusting(TestServer server) throws Exception {
        var trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", server.pki.ca());
        var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        var tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return tls;
    }
}
