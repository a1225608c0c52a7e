package dev.peapod.cli;

import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

/** {@code peapod image ls}: the local images as a table (IMAGE ID, NAMES, SIZE), like {@code podman images}. */
final class ImageListCommand implements Callable<Integer> {
    private final CliContext context;
    final CommandSpec spec = Specs.command(this, "ls", "List local images.").aliases("list");

    ImageListCommand(CliContext context) {
        this.context = context;
        spec.addOption(Specs.dataDir());
        spec.addOption(Specs.flag("Print only image IDs.", "-q", "--quiet"));
        spec.addOption(Specs.flag("Print full image IDs (sha256:…).", "--no-trunc"));
    }

    @Override
    public Integer call() {
        var images = context.imageStore().apply(Specs.value(spec, Specs.DATA_DIR)).list();
        var out = spec.commandLine().getOut();
        out.print(ImageTable.render(images, Specs.value(spec, "--quiet"), Specs.value(spec, "--no-trunc")));
        out.flush();
        return Main.OK;
    }
}
