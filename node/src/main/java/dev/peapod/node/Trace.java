package dev.peapod.node;

import java.lang.management.ManagementFactory;

/**
 * Start-up tracing for measuring where a cold {@code peapod up} spends its time: with
 * {@code PEAPOD_TRACE=1}, each mark prints milliseconds since JVM start to stderr. Off, a mark
 * costs one volatile-free boolean check.
 */
public final class Trace {
    private static final boolean ON = System.getenv("PEAPOD_TRACE") != null;

    private Trace() {}

    public static void mark(String what) {
        if (!ON) return;
        long since = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        System.err.println("trace " + since + "ms " + what);
    }
}
