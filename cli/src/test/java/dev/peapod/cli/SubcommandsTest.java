package dev.peapod.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SubcommandsTest {
    private final CliContext context = new CliContext(dataDir -> new StaticImages(List.of()));

    @Test
    void theSubcommandIsTheFirstArgumentThatIsNotAnOption() {
        assertThat(Subcommands.selectedName(List.of("--debug", "image", "ls"))).isEqualTo("image");
        assertThat(Subcommands.selectedName(List.of("up", "pod.yaml"))).isEqualTo("up");
        assertThat(Subcommands.selectedName(List.of("--version"))).isNull();
        assertThat(Subcommands.selectedName(List.of("--", "up"))).isNull();
        assertThat(Subcommands.selectedName(List.of("--data-dir", "image", "up"))).isEqualTo("up");
        assertThat(Subcommands.selectedName(List.of("--data-dir=/x", "image"))).isEqualTo("image");
    }

    @Test
    void onlyTheSelectedSubcommandIsBuilt() {
        var root = Main.commandLine(context, "image", "ls");
        assertThat(root.getSubcommands().get("image").getCommandSpec().userObject()).isInstanceOf(ImageCommand.class);
        // placeholders carry no command object: nothing of `up` was constructed or reflected on
        assertThat(root.getSubcommands().get("up").getCommandSpec().userObject()).isNull();
        assertThat(root.getSubcommands().get("up").getCommandSpec().usageMessage().description())
                .containsExactly("Run the pods of the given manifests in the foreground.");
    }

    @Test
    void everyEntryBuildsACommandWithTheNameItIsRegisteredUnder() {
        var root = new CommandLine(new RootCommand().spec);
        Subcommands.ALL.forEach(e -> root.addSubcommand(e.name(), e.create().apply(context)));
        for (var e : Subcommands.ALL) {
            var sub = root.getSubcommands().get(e.name());
            assertThat(sub.getCommandSpec().userObject()).as(e.name()).isNotNull();
            assertThat(sub.getCommandName()).isEqualTo(e.name());
        }
    }
}
