package dev.peapod.cli;

import java.util.function.Consumer;

/**
 * Ctrl-C and SIGTERM without killing the JVM: the handler asks the pods to stop gracefully and
 * {@code peapod up} exits once they have. Uses {@code sun.misc.Signal} (module jdk.unsupported),
 * the supported way for a Java CLI to catch signals.
 */
final class Signals {
    private Signals() {}

    @SuppressWarnings("removal")
    static void onTerminate(Consumer<String> handler) {
        for (String name : new String[] {"INT", "TERM"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), s -> Thread.ofVirtual().start(() -> handler.accept(s.getName())));
        }
    }
}
