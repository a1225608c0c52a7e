package dev.peapod.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PullPrinterTest {
    static final String A = "sha256:" + "a".repeat(64);
    static final String B = "sha256:" + "b".repeat(64);

    @Test
    void withoutATerminalOneLinePerLayerWhenDone() {
        var text = new StringWriter();
        var clock = new AtomicLong();
        var p = new PullPrinter(new PrintWriter(text), false, clock::get);
        p.resolved("docker.io/library/x:1", "sha256:" + "c".repeat(64), 2, 3_000_000);
        p.layerExists(B, 1_000_000);
        p.layer(A, 2_000_000, 0);
        clock.set(500_000_000);
        p.layer(A, 2_000_000, 1_000_000);
        clock.set(1_000_000_000);
        p.layer(A, 2_000_000, 2_000_000);
        p.finish();
        assertThat(text.toString().lines()).containsExactly(
                "Pulling docker.io/library/x:1 (sha256:" + "c".repeat(64) + "): 2 layers, 3.0 MB",
                "sha256:bbbbbbbbbbbb  already present",
                "sha256:aaaaaaaaaaaa  2.0 MB / 2.0 MB  2.0 MB/s  done",
                "Fetched 2.0 MB in 1.00s (2.0 MB/s)");
    }

    @Test
    void onATerminalRedrawsTheLayerLinesInPlace() {
        var text = new StringWriter();
        var clock = new AtomicLong();
        var p = new PullPrinter(new PrintWriter(text), true, clock::get);
        p.layer(A, 2_000_000, 0);
        clock.set(1_000_000_000);
        p.layer(A, 2_000_000, 2_000_000);
        assertThat(text.toString()).contains("\033[1F\033[2Ksha256:aaaaaaaaaaaa  2.0 MB / 2.0 MB  2.0 MB/s  done\n");
    }

    @Test
    void sizesAndRates() {
        assertThat(PullPrinter.bytes(999)).isEqualTo("999 B");
        assertThat(PullPrinter.bytes(15_700_000)).isEqualTo("15.7 MB");
        assertThat(PullPrinter.rate(50_000_000, 2_000_000_000L)).isEqualTo("25.0 MB/s");
        assertThat(PullPrinter.rate(1, 0)).isEqualTo("-");
    }
}
