package dev.peapod.testing;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FakeClockTest {

    @Test
    void startsAtTheDefaultInstantAndStandsStill() {
        var clock = new FakeClock();
        assertThat(clock.instant()).isEqualTo(FakeClock.DEFAULT_START);
        assertThat(clock.instant()).isEqualTo(clock.instant());
        assertThat(clock.millis()).isEqualTo(FakeClock.DEFAULT_START.toEpochMilli());
    }

    @Test
    void advanceAndSetMoveTheClock() {
        var clock = new FakeClock(Instant.parse("2030-05-01T10:00:00Z"));
        assertThat(clock.advance(Duration.ofSeconds(90))).isEqualTo(Instant.parse("2030-05-01T10:01:30Z"));
        clock.set(Instant.parse("2030-05-01T09:00:00Z"));
        assertThat(clock.instant()).isEqualTo(Instant.parse("2030-05-01T09:00:00Z"));
    }

    @Test
    void refusesANegativeStep() {
        var clock = new FakeClock();
        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative");
    }

    @Test
    void concurrentAdvancesAreNotLost() throws Exception {
        var clock = new FakeClock();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new ArrayList<Future<?>>();
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 1000; i++) clock.advance(Duration.ofMillis(1));
                }));
            }
            for (var f : futures) f.get();
        }
        assertThat(clock.instant()).isEqualTo(FakeClock.DEFAULT_START.plusMillis(8000));
    }
}
