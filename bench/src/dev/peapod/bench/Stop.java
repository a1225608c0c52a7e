package dev.peapod.bench;

/**
 * Ctrl-C and SIGTERM: the first asks the bench to stop; the main thread is interrupted, stops and
 * removes whatever it has started (on both sides), and exits 130. bench/run forwards its signals
 * here as SIGTERM (a background job of a non-interactive shell ignores SIGINT).
 */
final class Stop {
    /** Thrown where the bench checks for a stop request between runs. */
    static final class Requested extends RuntimeException {
        Requested() { super("stop requested"); }
    }

    private static volatile boolean requested;

    private Stop() {}

    @SuppressWarnings("removal")
    static void install(Thread main) {
        for (String name : new String[] {"INT", "TERM", "HUP"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> {
                    if (requested) {
                        System.err.println("bench: still stopping what was started; please wait");
                        return;
                    }
                    requested = true;
                    System.err.println("bench: received SIG" + s.getName() + ": stopping after cleaning up");
                    main.interrupt();
                });
            } catch (IllegalArgumentException e) {
                // The signal is ignored by our parent (SIGINT for a background job) or reserved: leave it.
            }
        }
    }

    static boolean requested() { return requested; }

    static void check() {
        if (requested) throw new Requested();
    }
}
