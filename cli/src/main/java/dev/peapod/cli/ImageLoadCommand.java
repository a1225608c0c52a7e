package dev.peapod.cli;

import dev.peapod.image.Image;
import dev.peapod.image.Images;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code peapod image load FILE…}: loads {@code docker save} / OCI layout archives, printing
 * {@code Loaded image: NAME} per image like {@code podman load}. Stops at the first archive that
 * fails: what was loaded before it stays loaded (the store never keeps half an image).
 */
final class ImageLoadCommand implements Callable<Integer> {
    private final CliContext context;
    final CommandSpec spec = Specs.command(this, "load", "Load images from docker-save or OCI-layout archives (tar, tar.gz).");

    ImageLoadCommand(CliContext context) {
        this.context = context;
        spec.addOption(Specs.dataDir());
        spec.addPositional(Specs.atLeastOne(Path.class, "FILE", "Archives to load."));
    }

    @Override
    public Integer call() {
        Images store = context.imageStore().apply(Specs.value(spec, Specs.DATA_DIR));
        var out = spec.commandLine().getOut();
        for (Path file : Specs.<Path>positionals(spec)) {
            // Checked here so the message names the file rather than an archive library's view of it.
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("failed to load image archive " + file + ": no such file");
            }
            List<Image> loaded = store.load(file);
            for (Image image : loaded) {
                out.println("Loaded image: " + (image.names().isEmpty() ? image.id() : String.join(", ", image.names())));
            }
            out.flush();
        }
        return Main.OK;
    }
}
