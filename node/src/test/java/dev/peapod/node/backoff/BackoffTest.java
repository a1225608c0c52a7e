package dev.peapod.node.backoff;

import dev.peapod.testing.FakeClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {

    private final FakeClock clock = new FakeClock();
    private final String key = Backoff.key("uid-1", "app");

    /**
     * Drives a container that crashes {@code crashAfter} after every start, restarting it as
     * soon as the backoff allows, and returns how long each restart had to wait.
     */
    private List<Duration> crashLoop(Backoff backoff, String key, int crashes, Duration crashAfter) {
        var waits = new ArrayList<Duration>();
        for (int i = 0; i < crashes; i++) {
            clock.advance(crashAfter);
            Instant finishedAt = clock.instant();
            Optional<Instant> retryAt = backoff.retryAt(key, finishedAt);
            retryAt.ifPresent(clock::set);
            assertThat(backoff.inBackoffSince(key, finishedAt)).isFalse();
            waits.add(Duration.between(finishedAt, clock.instant()));
            backoff.next(key, finishedAt);
        }
        return waits;
    }

    private static List<Duration> seconds(long... s) {
        var out = new ArrayList<Duration>();
        for (long x : s) out.add(Duration.ofSeconds(x));
        return out;
    }

    @Test
    void theDefaultCurveDoublesFromTenSecondsToFiveMinutes() {
        var backoff = new Backoff(clock);
        assertThat(crashLoop(backoff, key, 9, Duration.ofSeconds(1)))
                .isEqualTo(seconds(0, 10, 20, 40, 80, 160, 300, 300, 300));
        assertThat(backoff.delay(key)).isEqualTo(Duration.ofSeconds(300));
    }

    @Test
    void nextReturnsTheDelayOfTheFollowingExit() {
        var backoff = new Backoff(clock);
        Instant t = clock.instant();
        var delays = new ArrayList<Duration>();
        for (int i = 0; i < 8; i++) delays.add(backoff.next(key, t));
        assertThat(delays).isEqualTo(seconds(10, 20, 40, 80, 160, 300, 300, 300));
    }

    @Test
    void aContainerInBackoffMayRestartExactlyWhenTheDelayHasPassed() {
        var backoff = new Backoff(clock);
        Instant finished = clock.instant();
        backoff.next(key, finished);               // first restart: immediate
        clock.advance(Duration.ofSeconds(5));
        Instant crashed = clock.instant();         // crashed again after 5 s of running
        assertThat(backoff.retryAt(key, crashed)).contains(crashed.plusSeconds(10));
        clock.advance(Duration.ofMillis(9_999));
        assertThat(backoff.inBackoffSince(key, crashed)).isTrue();
        clock.advance(Duration.ofMillis(1));
        assertThat(backoff.inBackoffSince(key, crashed)).isFalse();
        assertThat(backoff.retryAt(key, crashed)).isEmpty();
    }

    @Test
    void askingDoesNotChangeTheBackoff() {
        var backoff = new Backoff(clock);
        Instant t = clock.instant();
        backoff.next(key, t);
        for (int i = 0; i < 5; i++) backoff.retryAt(key, t);
        assertThat(backoff.delay(key)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void tenMinutesOfRunningResetsTheDelayToTheInitialValue() {
        var backoff = new Backoff(clock);
        crashLoop(backoff, key, 5, Duration.ofSeconds(1));
        assertThat(backoff.delay(key)).isEqualTo(Duration.ofSeconds(160));
        // The last restart happened now; it runs for 10 min + 1 s and exits.
        clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        Instant finished = clock.instant();
        assertThat(backoff.retryAt(key, finished)).isEmpty();
        assertThat(backoff.next(key, finished)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void exactlyTenMinutesOfRunningIsNotEnoughToReset() {
        var backoff = new Backoff(clock);
        crashLoop(backoff, key, 3, Duration.ofSeconds(1));
        assertThat(backoff.delay(key)).isEqualTo(Duration.ofSeconds(40));
        clock.advance(Duration.ofMinutes(10));
        Instant finished = clock.instant();
        assertThat(backoff.retryAt(key, finished)).contains(finished.plusSeconds(40));
        clock.advance(Duration.ofSeconds(40));
        assertThat(backoff.next(key, finished)).isEqualTo(Duration.ofSeconds(80));
    }

    @Test
    void baseAndCapAreConfigurable() {
        var backoff = new Backoff(clock, Duration.ofSeconds(1), Duration.ofSeconds(60));
        assertThat(crashLoop(backoff, key, 9, Duration.ofMillis(100)))
                .isEqualTo(seconds(0, 1, 2, 4, 8, 16, 32, 60, 60));
        // The reset window follows the cap: 2 × 60 s.
        clock.advance(Duration.ofSeconds(121));
        assertThat(backoff.next(key, clock.instant())).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aCapBelowTheDoubledDelayIsHonoured() {
        var backoff = new Backoff(clock, Duration.ofSeconds(10), Duration.ofSeconds(15));
        Instant t = clock.instant();
        assertThat(List.of(backoff.next(key, t), backoff.next(key, t), backoff.next(key, t)))
                .isEqualTo(seconds(10, 15, 15));
    }

    @Test
    void keysAreIndependent() {
        var backoff = new Backoff(clock);
        String other = Backoff.key("uid-1", "sidecar");
        String otherPod = Backoff.key("uid-2", "app");
        crashLoop(backoff, key, 4, Duration.ofSeconds(1));
        assertThat(backoff.delay(key)).isEqualTo(Duration.ofSeconds(80));
        assertThat(backoff.delay(other)).isZero();
        assertThat(backoff.retryAt(other, clock.instant())).isEmpty();
        assertThat(backoff.next(otherPod, clock.instant())).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.delay(key)).isEqualTo(Duration.ofSeconds(80));
    }

    @Test
    void resetForgetsOneKeyAndResetPodForgetsAPod() {
        var backoff = new Backoff(clock);
        Instant t = clock.instant();
        backoff.next(Backoff.key("uid-1", "a"), t);
        backoff.next(Backoff.key("uid-1", "b"), t);
        backoff.next(Backoff.key("uid-10", "a"), t);
        backoff.reset(Backoff.key("uid-1", "a"));
        assertThat(backoff.delay(Backoff.key("uid-1", "a"))).isZero();
        assertThat(backoff.size()).isEqualTo(2);
        backoff.resetPod("uid-1");
        assertThat(backoff.delay(Backoff.key("uid-1", "b"))).isZero();
        assertThat(backoff.delay(Backoff.key("uid-10", "a"))).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void gcDropsOnlyEntriesOlderThanTwiceTheCap() {
        var backoff = new Backoff(clock);
        backoff.next("old", clock.instant());
        clock.advance(Duration.ofMinutes(5));
        backoff.next("recent", clock.instant());
        clock.advance(Duration.ofMinutes(5));
        assertThat(backoff.gc()).isZero();          // "old" is exactly 10 min old: kept
        clock.advance(Duration.ofSeconds(1));
        assertThat(backoff.gc()).isEqualTo(1);
        assertThat(backoff.delay("old")).isZero();
        assertThat(backoff.delay("recent")).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void theGateAnswersForOnePodWithoutRecording() {
        var backoff = new Backoff(clock);
        var gate = backoff.gate("uid-1");
        Instant t = clock.instant();
        assertThat(gate.blockedUntil("app", t)).isEmpty();
        backoff.next(key, t);
        assertThat(gate.blockedUntil("app", t)).contains(t.plusSeconds(10));
        assertThat(backoff.gate("uid-2").blockedUntil("app", t)).isEmpty();
        assertThat(backoff.delay(key)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aMissingEventTimeCountsAsNow() {
        var backoff = new Backoff(clock);
        backoff.next(key, null);
        assertThat(backoff.retryAt(key, null)).contains(clock.instant().plusSeconds(10));
    }

    @Test
    void rejectsABaseAboveTheCapOrNotPositive() {
        assertThatThrownBy(() -> new Backoff(clock, Duration.ofSeconds(20), Duration.ofSeconds(10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("failed to configure backoff");
        assertThatThrownBy(() -> new Backoff(clock, Duration.ZERO, Duration.ofSeconds(10)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPodsEntriesCarryOverToAnotherBackoffAndKeepItsWait() {
        var clock = new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.parse("2026-01-01T00:00:00Z"));
        java.time.InstantSource src = clock::get;
        var first = new Backoff(src);
        java.time.Instant exit = clock.get();
        first.next(Backoff.key("pod", "app"), exit);
        first.next(Backoff.key("pod", "app"), exit);
        first.next(Backoff.key("other", "app"), exit);
        var saved = first.of("pod");
        assertThat(saved).containsOnlyKeys("app");
        assertThat(saved.get("app").delay()).isEqualTo(java.time.Duration.ofSeconds(20));

        var second = new Backoff(src);
        assertThat(second.retryAt(Backoff.key("pod", "app"), exit)).as("a fresh backoff restarts at once").isEmpty();
        second.restore("pod", saved);
        assertThat(second.retryAt(Backoff.key("pod", "app"), exit)).contains(exit.plusSeconds(20));
        assertThat(second.next(Backoff.key("pod", "app"), exit)).as("and goes on doubling").isEqualTo(java.time.Duration.ofSeconds(40));
        assertThat(second.of("other")).isEmpty();
    }
}
