package dev.peapod.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

class DataDirsTest {

    /** Shaped like UpCommand: annotations, its own --data-dir with a default. */
    @Command(name = "stateful")
    static final class Annotated implements Callable<Integer> {
        @Option(names = "--data-dir", defaultValue = "/var/lib/peapod") Path dataDir;

        @Override
        public Integer call() {
            return 0;
        }
    }

    private static Annotated run(String... args) {
        var command = new Annotated();
        var root = new CommandLine(new RootCommand().spec);
        root.addSubcommand(command);
        assertThat(Main.configure(root).execute(args)).isZero();
        return command;
    }

    @Test
    void anAnnotatedSubcommandGetsTheRootValue() {
        assertThat(run("--data-dir", "/srv/peapod", "stateful").dataDir).isEqualTo(Path.of("/srv/peapod"));
    }

    @Test
    void theSubcommandsOwnValueWins() {
        assertThat(run("--data-dir", "/a", "stateful", "--data-dir", "/b").dataDir).isEqualTo(Path.of("/b"));
    }

    @Test
    void withoutEitherTheSubcommandsDefaultStays() {
        assertThat(run("stateful").dataDir).isEqualTo(Path.of("/var/lib/peapod"));
    }
}
