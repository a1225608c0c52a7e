package dev.peapod.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.util.List;
import java.util.function.Function;

/**
 * The command tree, in one place: adding a subcommand is one {@link Entry} line in {@link #ALL}.
 *
 * <p>Only the subcommand the arguments select is constructed; the others are name-and-description
 * placeholders, enough for {@code --help} and for "did you mean" suggestions. So a command
 * written with picocli annotations (such as {@code up}) costs its reflection only when it runs.
 */
final class Subcommands {

    /**
     * One top-level subcommand.
     *
     * @param name        what users type
     * @param description the one line {@code peapod --help} shows
     * @param create      builds it: an annotated command object, a {@link CommandSpec} or a {@link CommandLine}
     */
    record Entry(String name, String description, Function<CliContext, Object> create) {}

    static final List<Entry> ALL = List.of(
            new Entry("up", "Run the pods of the given manifests in the foreground.", context -> new UpCommand()),
            new Entry("serve", ServeCommand.DESCRIPTION, context -> new ServeCommand()),
            new Entry("image", ImageCommand.DESCRIPTION, ImageCommand::tree),
            new Entry("volume", VolumeCommand.DESCRIPTION, VolumeCommand::tree),
            new Entry("lint", LintCommand.DESCRIPTION, context -> new LintCommand().spec),
            new Entry(TrainCommand.NAME, "", context -> new TrainCommand().spec));

    private Subcommands() {}

    /** Adds every subcommand to {@code root}: the one {@code args} select for real, the rest as placeholders. */
    static void register(CommandLine root, CliContext context, List<String> args) {
        String selected = selectedName(args);
        for (Entry e : ALL) {
            root.addSubcommand(e.name(), e.name().equals(selected) ? e.create().apply(context) : placeholder(e));
        }
    }

    /** The first argument that is neither an option nor the value of the root's {@code --data-dir}. */
    static String selectedName(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) return null;
            if (a.equals(Specs.DATA_DIR)) i++;
            else if (!a.startsWith("-")) return a;
        }
        return null;
    }

    private static CommandSpec placeholder(Entry e) {
        var spec = CommandSpec.create().name(e.name());
        spec.usageMessage().description(e.description()).hidden(e.description().isEmpty());
        return spec;
    }
}
