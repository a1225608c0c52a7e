package dev.peapod.cli;

import picocli.CommandLine.Model.CommandSpec;

/** What a command that only groups subcommands does when run alone: usage on stderr, exit 2. */
final class GroupCommand {
    private GroupCommand() {}

    static int missingSubcommand(CommandSpec spec) {
        var cmd = spec.commandLine();
        cmd.getErr().println("Error: missing subcommand");
        cmd.usage(cmd.getErr());
        cmd.getErr().flush();
        return Main.USAGE;
    }
}
