package dev.peapod.node.lifecycle;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code activeDeadlineSeconds} as kubelet's {@code active_deadline.go} judges it. */
class ActiveDeadlineTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("no deadline", null, START, START.plusSeconds(99999), false, null),
                Arguments.of("not started yet", 10L, null, START.plusSeconds(99999), false, null),
                Arguments.of("before the deadline", 10L, START, START.plusSeconds(9), false, START.plusSeconds(10)),
                Arguments.of("exactly at the deadline", 10L, START, START.plusSeconds(10), true, START.plusSeconds(10)),
                Arguments.of("past the deadline", 10L, START, START.plusSeconds(11), true, START.plusSeconds(10)),
                Arguments.of("a millisecond short", 10L, START, START.plusSeconds(10).minusMillis(1), false, START.plusSeconds(10)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void deadline(String name, Long seconds, Instant start, Instant now, boolean exceeded, Instant deadline) {
        var check = ActiveDeadline.check(seconds, start, now);

        assertThat(check.exceeded()).isEqualTo(exceeded);
        assertThat(check.deadline()).isEqualTo(Optional.ofNullable(deadline));
        assertThat(check.reason()).isEqualTo("DeadlineExceeded");
        assertThat(check.message()).isEqualTo("Pod was active on the node longer than the specified deadline");
    }

    @ParameterizedTest(name = "startTime \"{0}\"")
    @MethodSource("startTimes")
    void start_time_as_the_api_writes_it(String startTime, boolean exceeded) {
        assertThat(ActiveDeadline.check(30L, startTime, START.plusSeconds(30)).exceeded()).isEqualTo(exceeded);
    }

    static Stream<Arguments> startTimes() {
        return Stream.of(
                Arguments.of("2026-01-01T00:00:00Z", true),
                Arguments.of("2026-01-01T00:00:01Z", false),
                Arguments.of("", false),
                Arguments.of(null, false));
    }
}
