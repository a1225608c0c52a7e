package dev.peapod.node.volume;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceAccountTokensTest {
    @TempDir Path dir;
    private static final Instant NOW = Instant.parse("2026-11-23T20:00:00Z");
    private static final ServiceAccountTokens.Request REQUEST =
            new ServiceAccountTokens.Request("team", "builder", "web", "uid-1", "vault", Duration.ofHours(1));

    @Test
    void aTokenVerifiesWithThePublicKeyOnDiskAndCarriesTheBoundClaims() throws Exception {
        var tokens = ServiceAccountTokens.open(dir.resolve("sa"));
        var token = tokens.issue(REQUEST, NOW);

        var pub = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Files.readAllBytes(dir.resolve("sa/signing.pub"))));
        Map<String, Object> claims = ServiceAccountTokens.verify(token.jwt(), pub);
        assertThat(claims).containsEntry("iss", ServiceAccountTokens.ISSUER)
                .containsEntry("sub", "system:serviceaccount:team:builder")
                .containsEntry("aud", List.of("vault"))
                .containsEntry("iat", (int) NOW.getEpochSecond())
                .containsEntry("nbf", (int) NOW.getEpochSecond())
                .containsEntry("exp", (int) NOW.plusSeconds(3600).getEpochSecond());
        assertThat(claims.get("kubernetes.io")).isEqualTo(Map.of("namespace", "team",
                "pod", Map.of("name", "web", "uid", "uid-1"), "serviceaccount", Map.of("name", "builder")));
    }

    @Test
    void theKeyIsPrivateAndKeptAcrossRestarts() throws Exception {
        var first = ServiceAccountTokens.open(dir.resolve("sa"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("sa/signing.key")))).isEqualTo("rw-------");
        var token = first.issue(REQUEST, NOW);
        var second = ServiceAccountTokens.open(dir.resolve("sa"));
        assertThat(ServiceAccountTokens.verify(token.jwt(), second.publicKey())).containsKey("sub");
    }

    @Test
    void aTamperedTokenOrAnotherKeyDoesNotVerify() throws Exception {
        var tokens = ServiceAccountTokens.open(dir.resolve("a"));
        String jwt = tokens.issue(REQUEST, NOW).jwt();
        String[] parts = jwt.split("\\.");
        String forged = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"sub\":\"system:serviceaccount:kube-system:admin\"}".getBytes()) + "." + parts[2];
        assertThatThrownBy(() -> ServiceAccountTokens.verify(forged, tokens.publicKey())).isInstanceOf(IllegalArgumentException.class);
        var other = ServiceAccountTokens.open(dir.resolve("b"));
        assertThatThrownBy(() -> ServiceAccountTokens.verify(jwt, other.publicKey())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void renewalComesAt80PercentOfTheTtlOrAfterADay() {
        var hour = new ServiceAccountTokens.Token("t", NOW, NOW.plus(Duration.ofHours(1)));
        assertThat(hour.refreshAt()).isEqualTo(NOW.plus(Duration.ofMinutes(48)));
        var week = new ServiceAccountTokens.Token("t", NOW, NOW.plus(Duration.ofDays(7)));
        assertThat(week.refreshAt()).isEqualTo(NOW.plus(Duration.ofHours(24)));
    }
}
