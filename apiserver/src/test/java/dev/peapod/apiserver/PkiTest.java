package dev.peapod.apiserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PkiTest {

    @Test
    void firstStartCreatesCredentialsLaterStartsReuseThem(@TempDir Path dir) throws Exception {
        Pki first = Pki.loadOrCreate(dir, "127.0.0.1");
        Pki second = Pki.loadOrCreate(dir, "127.0.0.1");
        assertThat(second.token()).isEqualTo(first.token()).hasSize(64);
        assertThat(second.ca()).isEqualTo(first.ca());
        assertThat(second.serving()).isEqualTo(first.serving());
        first.serving().verify(first.ca().getPublicKey());
        assertThat(first.serving().getSubjectAlternativeNames()).extracting(san -> san.get(1).toString())
                .containsExactlyInAnyOrder("localhost", "127.0.0.1");
        for (String f : List.of("ca.key", "apiserver.key", "token")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f)))).as(f).isEqualTo("rw-------");
        }
    }

    @Test
    void aNewListenAddressGetsANewServingCertificateFromTheSameCa(@TempDir Path dir) throws Exception {
        Pki first = Pki.loadOrCreate(dir, "127.0.0.1");
        Pki other = Pki.loadOrCreate(dir, "192.0.2.10");
        assertThat(other.ca()).isEqualTo(first.ca());
        assertThat(other.serving()).isNotEqualTo(first.serving());
        other.serving().verify(first.ca().getPublicKey());
        assertThat(other.serving().getSubjectAlternativeNames()).extracting(san -> san.get(1).toString()).contains("192.0.2.10");
    }
}
