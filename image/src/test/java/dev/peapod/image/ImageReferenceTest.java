package dev.peapod.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The normalisation table follows distribution/reference normalize_test.go and reference_test.go. */
class ImageReferenceTest {
    private static final String D = "sha256:" + "a".repeat(64);

    static Stream<Arguments> valid() {
        return Stream.of(
                // input, full normalised form, familiar form
                Arguments.of("busybox", "docker.io/library/busybox:latest", "busybox:latest"),
                Arguments.of("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36"),
                Arguments.of("library/busybox", "docker.io/library/busybox:latest", "busybox:latest"),
                Arguments.of("docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest"),
                Arguments.of("index.docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest"),
                Arguments.of("index.docker.io/peapod/busybox", "docker.io/peapod/busybox:latest", "peapod/busybox:latest"),
                Arguments.of("peapod/busybox", "docker.io/peapod/busybox:latest", "peapod/busybox:latest"),
                Arguments.of("docker.io/library/foo/bar", "docker.io/library/foo/bar:latest", "library/foo/bar:latest"),
                Arguments.of("other/library", "docker.io/other/library:latest", "other/library:latest"),
                Arguments.of("localhost/x", "localhost/x:latest", "localhost/x:latest"),
                Arguments.of("localhost:5000/x", "localhost:5000/x:latest", "localhost:5000/x:latest"),
                Arguments.of("localhost:5000/a/b:v1", "localhost:5000/a/b:v1", "localhost:5000/a/b:v1"),
                Arguments.of("127.0.0.1:5000/debian", "127.0.0.1:5000/debian:latest", "127.0.0.1:5000/debian:latest"),
                Arguments.of("example.com/privatebase", "example.com/privatebase:latest", "example.com/privatebase:latest"),
                Arguments.of("[fc00::1]:5000/docker", "[fc00::1]:5000/docker:latest", "[fc00::1]:5000/docker:latest"),
                Arguments.of("test_com/foo", "docker.io/test_com/foo:latest", "test_com/foo:latest"),
                Arguments.of("Foo/bar", "Foo/bar:latest", "Foo/bar:latest"),
                Arguments.of("dock__er/docker", "docker.io/dock__er/docker:latest", "dock__er/docker:latest"),
                Arguments.of("docker---rules/docker", "docker.io/docker---rules/docker:latest", "docker---rules/docker:latest"),
                Arguments.of("192.168.0.1", "docker.io/library/192.168.0.1:latest", "192.168.0.1:latest"),
                Arguments.of("busybox@" + D, "docker.io/library/busybox@" + D, "busybox@" + D),
                Arguments.of("busybox:1.36@" + D, "docker.io/library/busybox:1.36@" + D, "busybox:1.36@" + D),
                Arguments.of("quay.io/a/b:c@" + D, "quay.io/a/b:c@" + D, "quay.io/a/b:c@" + D),
                Arguments.of("docker.io/" + "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
                        "docker.io/library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a:latest",
                        "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a:latest"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("valid")
    void normalisesLikeDocker(String input, String full, String familiar) {
        ImageReference ref = ImageReference.parse(input);
        assertThat(ref.toString()).isEqualTo(full);
        assertThat(ref.familiar()).isEqualTo(familiar);
        assertThat(ImageReference.parse(full)).isEqualTo(ref);
        assertThat(ImageReference.parse(familiar)).isEqualTo(ref);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("invalid")
    void refusesInvalidReferencesWithTheRule(String input, String reason) {
        assertThatThrownBy(() -> ImageReference.parse(input))
                .isInstanceOf(ImageException.class)
                .hasMessageStartingWith("failed to parse image reference \"" + input + "\": ")
                .hasMessageContaining(reason);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("", "invalid reference format"),
                Arguments.of("https://github.com/docker/docker", "invalid reference format"),
                Arguments.of("docker/Docker", "repository name (docker/Docker) must be lowercase"),
                Arguments.of("Busybox", "repository name (library/Busybox) must be lowercase"),
                Arguments.of("-docker", "invalid reference format"),
                Arguments.of("docker///docker", "invalid reference format"),
                Arguments.of("dock..er/docker", "invalid reference format"),
                Arguments.of("docker-/docker", "invalid reference format"),
                Arguments.of("____/____", "invalid reference format"),
                Arguments.of("docker/", "invalid reference format"),
                Arguments.of("[fc00::1]:5000", "invalid reference format"),
                Arguments.of("fc00::1:5000/debian", "invalid reference format"),
                Arguments.of("busybox:-tag", "invalid reference format"),
                Arguments.of("busybox:" + "t".repeat(129), "invalid reference format"),
                Arguments.of("1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
                        "cannot specify 64-byte hexadecimal strings"),
                Arguments.of("busybox@sha256:abc", "invalid reference format"),
                Arguments.of("busybox@sha256:" + "a".repeat(63), "invalid checksum digest length"),
                Arguments.of("busybox@md5:" + "a".repeat(32), "unsupported digest algorithm"),
                Arguments.of("busybox@sha256:" + "A".repeat(64), "invalid checksum digest format"),
                Arguments.of("a/" + "b".repeat(254), "repository name must not be more than 255 characters"));
    }

    @org.junit.jupiter.api.Test
    void componentsAreExposed() {
        ImageReference ref = ImageReference.parse("localhost:5000/team/app:v2@" + D);
        assertThat(ref.domain()).isEqualTo("localhost:5000");
        assertThat(ref.path()).isEqualTo("team/app");
        assertThat(ref.tag()).isEqualTo("v2");
        assertThat(ref.digest()).isEqualTo(D);
        assertThat(ref.name()).isEqualTo("localhost:5000/team/app");
        assertThat(ref.withoutDigest().toString()).isEqualTo("localhost:5000/team/app:v2");
        assertThat(ImageReference.parse("busybox@" + D).tag()).isNull();
    }

    @org.junit.jupiter.api.Test
    void constructorValidatesToo() {
        assertThatThrownBy(() -> new ImageReference("docker.io", "Library/x", "latest", null))
                .isInstanceOf(ImageException.class).hasMessageContaining("invalid name");
        assertThat(new ImageReference("docker.io", "library/x", null, null).tag()).isEqualTo("latest");
    }
}
