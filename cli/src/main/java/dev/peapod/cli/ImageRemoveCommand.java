package dev.peapod.cli;

import dev.peapod.image.Image;
import dev.peapod.image.Images;
import picocli.CommandLine.Model.CommandSpec;

import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code peapod image rm REF…}: removes names, and images left without one, like {@code podman rmi}:
 * prints {@code Untagged: REF} or {@code Deleted: ID} per reference, goes on past references that
 * are not known, and exits 1 if any was not.
 */
final class ImageRemoveCommand implements Callable<Integer> {
    private final CliContext context;
    final CommandSpec spec = Specs.command(this, "rm",
            "Remove images by name or ID; layers no image uses any more are removed too.").aliases("remove");

    ImageRemoveCommand(CliContext context) {
        this.context = context;
        spec.addOption(Specs.dataDir());
        spec.addPositional(Specs.atLeastOne(String.class, "REF", "Image names or IDs."));
    }

    @Override
    public Integer call() {
        Images store = context.imageStore().apply(Specs.value(spec, Specs.DATA_DIR));
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        int code = Main.OK;
        for (String ref : Specs.<String>positionals(spec)) {
            Optional<Image> image = store.resolve(ref);
            if (image.isEmpty() || !store.remove(ref)) {
                err.println("Error: failed to remove image " + ref + ": image not known");
                err.flush();
                code = Main.FAILURE;
                continue;
            }
            boolean gone = store.resolve(image.get().id()).isEmpty();
            out.println(gone ? "Deleted: " + image.get().id() : "Untagged: " + ref);
            out.flush();
        }
        return code;
    }
}
