package dev.peapod.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TrainCommandTest {
    private final CliContext context = new CliContext(d -> new StaticImages(List.of()));

    @Test
    void trainingParsesTheSampleAndFindsItValid() {
        var out = new StringWriter();
        var cli = Main.commandLine(context, TrainCommand.NAME);
        cli.setOut(new PrintWriter(out, true));
        assertThat(cli.execute(TrainCommand.NAME)).isZero();
        // 3 rounds of a ConfigMap and a Pod; a sample that stopped validating would train error paths instead
        assertThat(out.toString()).startsWith("trained: 6 objects parsed, 0 validation errors");
    }

    @Test
    void trainingIsHiddenFromHelp() {
        var root = Main.commandLine(context, TrainCommand.NAME);
        assertThat(root.getSubcommands().get(TrainCommand.NAME).getCommandSpec().usageMessage().hidden()).isTrue();
    }
}
