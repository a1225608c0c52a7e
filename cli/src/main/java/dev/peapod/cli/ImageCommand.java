package dev.peapod.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

/** {@code peapod image}: groups the image store's subcommands; alone it prints usage and exits 2. */
final class ImageCommand implements Callable<Integer> {
    static final String DESCRIPTION = "Manage local images.";

    final CommandSpec spec = Specs.command(this, "image", DESCRIPTION);

    static CommandLine tree(CliContext context) {
        var image = new CommandLine(new ImageCommand().spec);
        image.addSubcommand(new ImageLoadCommand(context).spec);
        image.addSubcommand(new ImagePullCommand(context).spec);
        image.addSubcommand(new ImageListCommand(context).spec);
        image.addSubcommand(new ImageRemoveCommand(context).spec);
        image.addSubcommand(new ImageInspectCommand(context).spec);
        image.addSubcommand(new ImagePruneCommand(context).spec);
        return image;
    }

    @Override
    public Integer call() {
        return GroupCommand.missingSubcommand(spec);
    }
}
