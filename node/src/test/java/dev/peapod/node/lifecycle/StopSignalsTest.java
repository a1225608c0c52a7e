package dev.peapod.node.lifecycle;

import dev.peapod.node.lifecycle.StopSignals.Source;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Stop signal precedence (KEP-4960: spec > image STOPSIGNAL > SIGTERM), spelling and validation. */
class StopSignalsTest {

    private static Container container(String stopSignal) {
        var b = new ContainerBuilder().withName("app");
        if (stopSignal != null) b.withNewLifecycle().withStopSignal(stopSignal).endLifecycle();
        return b.build();
    }

    static Stream<Arguments> precedence() {
        return Stream.of(
                Arguments.of("spec wins over the image", "SIGUSR1", "SIGQUIT", "SIGUSR1", 10, Source.SPEC),
                Arguments.of("image STOPSIGNAL when the spec has none", null, "SIGQUIT", "SIGQUIT", 3, Source.IMAGE),
                Arguments.of("image STOPSIGNAL without SIG", null, "quit", "SIGQUIT", 3, Source.IMAGE),
                Arguments.of("image STOPSIGNAL as a number", null, "15", "SIGTERM", 15, Source.IMAGE),
                Arguments.of("image STOPSIGNAL real-time", null, "SIGRTMIN+3", "SIGRTMIN+3", 37, Source.IMAGE),
                Arguments.of("SIGTERM when neither says", null, null, "SIGTERM", 15, Source.DEFAULT),
                Arguments.of("a blank image STOPSIGNAL is none", null, " ", "SIGTERM", 15, Source.DEFAULT),
                Arguments.of("an empty spec value is none", "", "SIGINT", "SIGINT", 2, Source.IMAGE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("precedence")
    void precedence(String name, String spec, String image, String expectedName, int number, Source source) {
        var s = StopSignals.resolve(container(spec), image);

        assertThat(s.name()).isEqualTo(expectedName);
        assertThat(s.number()).isEqualTo(number);
        assertThat(s.source()).isEqualTo(source);
        assertThat(s.warning()).isEmpty();
    }

    @Test
    void an_image_stopsignal_that_is_no_signal_falls_back_to_sigterm_with_a_warning() {
        var s = StopSignals.resolve(container(null), "SIGFOO");

        assertThat(s.name()).isEqualTo("SIGTERM");
        assertThat(s.source()).isEqualTo(Source.DEFAULT);
        assertThat(s.warning()).contains("image STOPSIGNAL \"SIGFOO\" is not a signal; using SIGTERM");
    }

    @Test
    void a_spec_value_kubernetes_does_not_allow_is_an_error() {
        // The API spells signals exactly: "TERM" or "sigterm" are not allowed values.
        assertThatThrownBy(() -> StopSignals.resolve(container("TERM"), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("failed to resolve stop signal of container app: lifecycle.stopSignal \"TERM\" is not a supported signal");
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
        "SIGTERM, TERM", "SIGKILL, KILL", "SIGQUIT, QUIT", "SIGUSR2, USR2", "SIGWINCH, WINCH",
        "SIGRTMIN, 34", "SIGRTMIN+1, 35", "SIGRTMAX-14, 50", "SIGRTMAX, 64",
    })
    void crun_kill_arguments(String name, String argument) {
        assertThat(StopSignals.resolve(container(name), null).killArgument()).isEqualTo(argument);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(value = {
        "SIGTERM|SIGTERM", "TERM|SIGTERM", "term|SIGTERM", "15|SIGTERM", "SigHup|SIGHUP", "9|SIGKILL",
        "SIGIOT|SIGABRT", "CLD|SIGCHLD", "sigpoll|SIGIO", "rtmax-1|SIGRTMAX-1", "64|SIGRTMAX", "34|SIGRTMIN",
        "0|", "32|", "65|", "SIGFOO|", "RTMIN+16|", "-9|", "' '|",
    }, delimiter = '|')
    void parsing(String raw, String expected) {
        assertThat(StopSignals.parse(raw).map(StopSignals.StopSignal::name)).isEqualTo(Optional.ofNullable(expected));
    }

    @Test
    void kubernetes_allows_the_classic_signals_and_the_real_time_range() {
        assertThat(StopSignals.allowedNames()).hasSize(65)
                .contains("SIGTERM", "SIGIOT", "SIGCLD", "SIGPOLL", "SIGSTKFLT", "SIGRTMIN+15", "SIGRTMAX-14")
                .doesNotContain("TERM", "SIGRTMIN+16", "SIGRTMAX-15");
    }

    static Stream<Arguments> validation() {
        return Stream.of(
                Arguments.of("unset is fine anywhere", null, null, null),
                Arguments.of("linux allows SIGUSR1", "linux", "SIGUSR1", null),
                Arguments.of("an os must be named", null, "SIGUSR1", "Forbidden: may not be set for containers with empty `spec.os.name`"),
                Arguments.of("windows allows only SIGTERM and SIGKILL", "windows", "SIGUSR1",
                        "Unsupported value: \"SIGUSR1\": supported values: \"SIGKILL\", \"SIGTERM\""),
                Arguments.of("windows allows SIGKILL", "windows", "SIGKILL", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validation")
    void validation(String name, String os, String signal, String error) {
        assertThat(StopSignals.validate(os, signal)).isEqualTo(Optional.ofNullable(error));
    }

    @Test
    void linux_rejects_a_name_outside_the_set() {
        assertThat(StopSignals.validate("linux", "SIGFOO")).hasValueSatisfying(e ->
                assertThat(e).startsWith("Unsupported value: \"SIGFOO\": supported values: \"SIGABRT\", \"SIGALRM\""));
    }
}
