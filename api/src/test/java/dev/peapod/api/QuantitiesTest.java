package dev.peapod.api;

import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuantitiesTest {

    @ParameterizedTest(name = "{0} prints as {1}")
    @CsvSource({
            "0.5, 500m",
            "500m, 500m",
            "1000m, 1",
            "1, 1",
            "1500, 1500",
            "2000, 2k",
            "1000000, 1M",
            "100M, 100M",
            "1Gi, 1Gi",
            "1024Mi, 1Gi",
            "1.5Gi, 1536Mi",
            "512, 512",
            "0.5Ki, 512",
            "1e3, 1e3",
            "1.5e3, 1500",
            "0, 0",
            "0Gi, 0",
            "-1Mi, -1Mi",
            "0.0000000001, 1n",
            "1u, 1u",
            "12345678n, 12345678n",
    })
    void canonicalTextMatchesGo(String in, String canonical) {
        assertThat(Quantities.canonical(in)).isEqualTo(canonical);
    }

    @ParameterizedTest(name = "{0} is rejected: {1}")
    @CsvSource(delimiter = '|', value = {
            "abc|" + Quantities.FORMAT_ERROR,
            "''|" + Quantities.FORMAT_ERROR,
            "1.2.3|" + Quantities.FORMAT_ERROR,
            "1K|" + Quantities.SUFFIX_ERROR,
            "1 Gi|" + Quantities.FORMAT_ERROR,
            "1e|" + Quantities.SUFFIX_ERROR,
            "Gi|" + Quantities.FORMAT_ERROR,
    })
    void rejectsWhatParseQuantityRejects(String in, String message) {
        assertThatThrownBy(() -> Quantities.value(in)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
        assertThat(Quantities.isValid(in)).isFalse();
    }

    @Test
    void bytesRoundUpAwayFromZero() {
        assertThat(Quantities.bytes(new Quantity("128Mi"))).isEqualTo(128L * 1024 * 1024);
        assertThat(Quantities.bytes(new Quantity("1G"))).isEqualTo(1_000_000_000L);
        assertThat(Quantities.bytes(new Quantity("100m"))).isEqualTo(1L);
        assertThat(Quantities.bytes(new Quantity("-1.5"))).isEqualTo(-2L);
    }

    @Test
    void milliCpuRoundsUp() {
        assertThat(Quantities.milliCpu(new Quantity("500m"))).isEqualTo(500L);
        assertThat(Quantities.milliCpu(new Quantity("2"))).isEqualTo(2000L);
        assertThat(Quantities.milliCpu(new Quantity("0.1"))).isEqualTo(100L);
        assertThat(Quantities.milliCpu(new Quantity("1n"))).isEqualTo(1L);
    }

    @Test
    void fabric8AmountAndFormatAreReadTogether() {
        assertThat(Quantities.value(new Quantity("1.5", "Gi"))).isEqualByComparingTo(new BigDecimal("1610612736"));
    }

    @Test
    void roundingToMilliUnitsKeepsCoarserValues() {
        assertThat(Quantities.text(Quantities.roundUpToMilli(new Quantity("0.0001")))).isEqualTo("1m");
        assertThat(Quantities.text(Quantities.roundUpToMilli(new Quantity("1.5Gi")))).isEqualTo("1536Mi");
        assertThat(Quantities.text(Quantities.roundUpToMilli(new Quantity("0.5")))).isEqualTo("500m");
    }
}
