package dev.peapod.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The base of e2e classes that drive {@link ServeE2eTest}'s {@code peapod serve} (its data dir, its kubectl
 * helpers, its leak check when serve stops): started once for the subclass, in the subclass's own temporary
 * directory. Relies on e2e classes running one after another, as surefire runs them here.
 */
abstract class SharedServe {
    @TempDir static Path dir;

    @BeforeAll
    static void startServe() throws Exception {
        ServeE2eTest.dir = dir;
        ServeE2eTest.startServe();
    }

    @AfterAll
    static void stopServe() throws Exception {
        ServeE2eTest.stopServe();
    }
}
