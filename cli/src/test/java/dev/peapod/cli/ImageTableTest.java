package dev.peapod.cli;

import dev.peapod.image.Image;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ImageTableTest {

    @Test
    void sizesUseDecimalUnitsWithThreeSignificantDigits() {
        // expected strings as go-units HumanSizeWithPrecision(size, 3) prints them (podman images)
        var cases = Map.of(0L, "0 B", 999L, "999 B", 1000L, "1 kB", 1234L, "1.23 kB", 4_262_000L, "4.26 MB",
                999_999L, "1 MB", 12_345_678L, "12.3 MB", 123_456_789_012L, "123 GB");
        cases.forEach((bytes, text) -> assertThat(ImageTable.humanSize(bytes)).as("%d bytes", bytes).isEqualTo(text));
    }

    @Test
    void idsAreTwelveHexDigitsUnlessNotTruncated() {
        String id = "sha256:" + "a1".repeat(32);
        assertThat(ImageTable.id(id, false)).isEqualTo("a1a1a1a1a1a1");
        assertThat(ImageTable.id(id, true)).isEqualTo(id);
    }

    @Test
    void rowsAreSortedByNameWithUnnamedImagesLast() {
        var images = List.of(
                new Image("sha256:" + "3".repeat(64), List.of(), null, List.of(), 1),
                new Image("sha256:" + "2".repeat(64), List.of("docker.io/library/zeta:1"), null, List.of(), 2000),
                new Image("sha256:" + "1".repeat(64), List.of("docker.io/library/alpha:1"), null, List.of(), 3_000_000));
        assertThat(ImageTable.render(images, false, false)).isEqualTo("""
                IMAGE ID      NAMES                      SIZE
                111111111111  docker.io/library/alpha:1  3 MB
                222222222222  docker.io/library/zeta:1   2 kB
                333333333333  <none>                     1 B
                """);
        assertThat(ImageTable.render(List.of(), false, false)).isEqualTo("IMAGE ID  NAMES  SIZE\n");
    }
}
