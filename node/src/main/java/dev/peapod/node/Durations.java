package dev.peapod.node;

import java.time.Duration;

/** Durations printed the way Go's time.Duration prints them, as kubelet messages show them ("10s", "5m0s"). */
final class Durations {
    private Durations() {}

    static String go(Duration d) {
        long s = d.toSeconds();
        if (s < 60) return s + "s";
        if (s < 3600) return (s / 60) + "m" + (s % 60) + "s";
        return (s / 3600) + "h" + (s % 3600 / 60) + "m" + (s % 60) + "s";
    }
}
