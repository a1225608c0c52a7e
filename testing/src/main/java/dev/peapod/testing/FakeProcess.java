package dev.peapod.testing;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the process of one fake container does, chosen by {@link FakeOciRuntime} when the
 * container is created. Closed set: every alternative is a record, so tests read as a script.
 *
 * <p>Signals ({@code TERM}, {@code SIGTERM} or {@code 15} are the same): a process that does not
 * ignore a signal dies of it with exit code {@code 128 + signal} (143 for TERM, 137 for KILL), as
 * conmon reports a signalled process. {@code KILL} cannot be ignored.
 */
public sealed interface FakeProcess {

    /** Runs and exits by itself with {@code code} {@code after} its start (zero: at once); a signal may end it earlier. */
    record Exit(int code, Duration after, List<String> output) implements FakeProcess {
        public Exit {
            Objects.requireNonNull(after, "after");
            if (after.isNegative()) throw new IllegalArgumentException("negative delay " + after);
            output = List.copyOf(output);
        }
    }

    /** Runs until a signal it does not ignore arrives (or a test calls {@link FakeOciRuntime#exit}). */
    record Run(Set<String> ignored, List<String> output) implements FakeProcess {
        public Run {
            ignored = Set.copyOf(ignored);
            if (ignored.contains("KILL")) throw new IllegalArgumentException("SIGKILL cannot be ignored");
            output = List.copyOf(output);
        }
    }

    /** {@code create} fails with this runtime stderr; the runtime keeps nothing of the container. */
    record FailCreate(String stderr) implements FakeProcess {}

    /** {@code create} works, {@code start} fails with this runtime stderr; the container stays created. */
    record FailStart(String stderr) implements FakeProcess {}

    static FakeProcess exit(int code) { return new Exit(code, Duration.ZERO, List.of()); }

    static FakeProcess exitAfter(int code, Duration after) { return new Exit(code, after, List.of()); }

    static FakeProcess runUntilSignalled() { return new Run(Set.of(), List.of()); }

    /** Runs until SIGKILL: a process that traps SIGTERM and carries on. */
    static FakeProcess ignoreTerm() { return new Run(Set.of("TERM"), List.of()); }

    static FakeProcess failCreate(String stderr) { return new FailCreate(stderr); }

    static FakeProcess failStart(String stderr) { return new FailStart(stderr); }

    /**
     * The same process, printing {@code lines} to stdout when it starts (written to the container's
     * CRI log file like conmon does).
     *
     * @throws IllegalStateException for a process that never starts
     */
    default FakeProcess printing(String... lines) {
        return switch (this) {
            case Exit e -> new Exit(e.code(), e.after(), List.of(lines));
            case Run r -> new Run(r.ignored(), List.of(lines));
            case FailCreate f -> throw new IllegalStateException("a container that fails create prints nothing");
            case FailStart f -> throw new IllegalStateException("a container that fails start prints nothing");
        };
    }

    /** Normalises {@code SIGTERM}, {@code TERM} and {@code 15} to {@code TERM}; unknown names are kept upper-cased. */
    static String signalName(String signal) {
        String s = signal.trim().toUpperCase(java.util.Locale.ROOT);
        if (s.startsWith("SIG")) s = s.substring(3);
        return switch (s) {
            case "1" -> "HUP";
            case "2" -> "INT";
            case "3" -> "QUIT";
            case "9" -> "KILL";
            case "10" -> "USR1";
            case "12" -> "USR2";
            case "15" -> "TERM";
            default -> s;
        };
    }

    /** Linux x86-64 signal numbers of the names {@link #signalName} returns. */
    static int signalNumber(String name) {
        return switch (name) {
            case "HUP" -> 1;
            case "INT" -> 2;
            case "QUIT" -> 3;
            case "KILL" -> 9;
            case "USR1" -> 10;
            case "USR2" -> 12;
            case "TERM" -> 15;
            default -> throw new IllegalArgumentException("unknown signal " + name);
        };
    }
}
