package dev.peapod.node.lifecycle;

import io.fabric8.kubernetes.api.model.Container;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which signal stops a container. KEP-4960 (ContainerStopSignals, alpha in 1.33): "Stop signal
 * from Container Spec > STOPSIGNAL from container image > Default stop signal of container
 * runtime" (SIGTERM for containerd and CRI-O). The spec value must be one of the names Kubernetes
 * allows for Linux ({@code supportedStopSignalsLinux}: the classic signals and
 * {@code SIGRTMIN+n}/{@code SIGRTMAX-n}); an image's STOPSIGNAL may be written as Docker accepts
 * it ({@code SIGTERM}, {@code term}, {@code 15}).
 *
 * <p>Numbers are Linux's generic ones (x86-64, arm64); SIGRTMIN is 34 as glibc and Go's
 * moby/sys/signal see it. Pure; thread safe.
 */
public final class StopSignals {
    private StopSignals() {}

    /** Where the signal came from. */
    public enum Source { SPEC, IMAGE, DEFAULT }

    /**
     * A resolved stop signal. {@code name} is the Kubernetes spelling ({@code SIGTERM},
     * {@code SIGRTMIN+3}), fit for {@code containerStatuses[].stopSignal}; {@code warning} says why
     * an image's STOPSIGNAL was ignored.
     */
    public record StopSignal(String name, int number, Source source, Optional<String> warning) {
        public StopSignal {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(warning, "warning");
        }

        /**
         * The argument for {@code crun kill} / {@code runc kill}: the name without {@code SIG}
         * ({@code TERM}) for classic signals, the number for real-time ones (crun's name table
         * has no {@code RTMIN+n}, and an unknown name would turn into signal 0 there).
         */
        public String killArgument() {
            return number >= RTMIN ? Integer.toString(number) : name.substring(3);
        }
    }

    private static final int RTMIN = 34;
    private static final int RTMAX = 64;
    /** Kubernetes name → number, the Linux set of {@code pkg/apis/core/validation}. */
    private static final Map<String, Integer> BY_NAME = table();
    private static final Set<String> WINDOWS = Set.of("SIGKILL", "SIGTERM");
    public static final StopSignal SIGTERM = new StopSignal("SIGTERM", 15, Source.DEFAULT, Optional.empty());

    private static Map<String, Integer> table() {
        var t = new LinkedHashMap<String, Integer>();
        String[] classic = {"HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
            "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU",
            "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};
        for (int i = 0; i < classic.length; i++) t.put("SIG" + classic[i], i + 1);
        t.put("SIGIOT", 6);
        t.put("SIGCLD", 17);
        t.put("SIGPOLL", 29);
        t.put("SIGRTMIN", RTMIN);
        for (int n = 1; n <= 15; n++) t.put("SIGRTMIN+" + n, RTMIN + n);
        for (int n = 14; n >= 1; n--) t.put("SIGRTMAX-" + n, RTMAX - n);
        t.put("SIGRTMAX", RTMAX);
        return Collections.unmodifiableMap(t);
    }

    /** The values {@code lifecycle.stopSignal} may take for a Linux pod. */
    public static Set<String> allowedNames() {
        return BY_NAME.keySet();
    }

    /**
     * Reads a signal as Docker's {@code ParseSignal} does: a number, or a name in any case with or
     * without {@code SIG}. Empty if it is no signal Kubernetes can name.
     */
    public static Optional<StopSignal> parse(String raw) {
        if (raw == null || raw.isBlank()) return Optional.empty();
        String s = raw.strip();
        if (s.chars().allMatch(Character::isDigit)) {
            int n;
            try {
                n = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            return nameOf(n).map(name -> new StopSignal(name, n, Source.IMAGE, Optional.empty()));
        }
        String upper = s.toUpperCase(Locale.ROOT);
        String name = upper.startsWith("SIG") ? upper : "SIG" + upper;
        Integer n = BY_NAME.get(name);
        return n == null ? Optional.empty() : Optional.of(new StopSignal(canonical(n, name), n, Source.IMAGE, Optional.empty()));
    }

    /**
     * The container's stop signal: {@code lifecycle.stopSignal}, else the image's STOPSIGNAL, else
     * SIGTERM. An image STOPSIGNAL that is no signal falls back to SIGTERM with a warning (as
     * CRI-O does) rather than leaving a container that cannot be stopped.
     *
     * @param imageStopSignal the image config's {@code StopSignal}; null or blank for none
     * @throws IllegalArgumentException if {@code lifecycle.stopSignal} is not a name Kubernetes allows
     *         (the API rejects such pods; resolve at container start so it surfaces as a config error)
     */
    public static StopSignal resolve(Container container, String imageStopSignal) {
        String spec = container.getLifecycle() == null ? null : container.getLifecycle().getStopSignal();
        if (spec != null && !spec.isEmpty()) {
            Integer n = BY_NAME.get(spec);
            if (n == null) {
                throw new IllegalArgumentException("failed to resolve stop signal of container " + container.getName()
                        + ": lifecycle.stopSignal " + GoText.quote(spec) + " is not a supported signal");
            }
            return new StopSignal(spec, n, Source.SPEC, Optional.empty());
        }
        if (imageStopSignal != null && !imageStopSignal.isBlank()) {
            return parse(imageStopSignal).orElseGet(() -> new StopSignal("SIGTERM", 15, Source.DEFAULT, Optional.of(
                    "image STOPSIGNAL " + GoText.quote(imageStopSignal) + " is not a signal; using SIGTERM")));
        }
        return SIGTERM;
    }

    /**
     * Checks {@code lifecycle.stopSignal} against the pod's {@code spec.os.name} as the API server
     * does (KEP-4960 "Cross validation with Pod spec.os.name"): the OS must be set; Linux allows
     * {@link #allowedNames()}, Windows only SIGTERM and SIGKILL. Returns the error, if any.
     */
    public static Optional<String> validate(String osName, String stopSignal) {
        if (stopSignal == null) return Optional.empty();
        if (osName == null || osName.isEmpty()) {
            return Optional.of("Forbidden: may not be set for containers with empty `spec.os.name`");
        }
        Set<String> allowed = switch (osName) {
            case "linux" -> BY_NAME.keySet();
            case "windows" -> WINDOWS;
            default -> Set.of();
        };
        if (allowed.contains(stopSignal)) return Optional.empty();
        String supported = allowed.stream().sorted().map(GoText::quote).collect(Collectors.joining(", "));
        return Optional.of("Unsupported value: " + GoText.quote(stopSignal) + ": supported values: " + supported);
    }

    private static Optional<String> nameOf(int number) {
        for (var e : BY_NAME.entrySet()) if (e.getValue() == number) return Optional.of(e.getKey());
        return Optional.empty();
    }

    /** SIGIOT, SIGCLD and SIGPOLL are aliases; report the primary name, as the runtime would. */
    private static String canonical(int number, String name) {
        return nameOf(number).orElse(name);
    }
}
