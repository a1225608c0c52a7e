package dev.peapod.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ScopeType;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code peapod}: global options only; every action is a subcommand (see {@link Subcommands}). */
final class RootCommand implements Callable<Integer> {
    static final String DEBUG = "--debug";

    final CommandSpec spec = Specs.command(this, "peapod", "Run Kubernetes Pods on this host.")
            .versionProvider(new BuildInfo());

    RootCommand() {
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
        // Inherited so that `peapod image ls --debug` and `peapod --debug image ls` both work; Main
        // looks for it in the parse result of every level.
        spec.addOption(OptionSpec.builder(DEBUG).type(boolean.class).arity("0").defaultValue("false").scopeType(ScopeType.INHERIT)
                .description("Print stack traces with errors.").build());
        // No default here: a subcommand's own --data-dir default applies unless this one is given.
        spec.addOption(OptionSpec.builder(Specs.DATA_DIR).type(Path.class).paramLabel("DIR")
                .description("State directory of the subcommand (default: " + Specs.DEFAULT_DATA_DIR + ").").build());
    }

    @Override
    public Integer call() {
        return GroupCommand.missingSubcommand(spec);
    }
}
