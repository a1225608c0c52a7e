package dev.peapod.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.peapod.image.ImageDetails;
import dev.peapod.image.Images;
import picocli.CommandLine.Model.CommandSpec;

import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code peapod image inspect REF…}: a JSON array with one object per image found, shaped like
 * {@code podman image inspect} (see {@link ImageInspection}); a reference not known is an
 * {@code Error:} line on stderr and exit 1, the others are still printed.
 */
final class ImageInspectCommand implements Callable<Integer> {
    private final CliContext context;
    final CommandSpec spec = Specs.command(this, "inspect", "Show images' configuration, layers and names as JSON.");

    ImageInspectCommand(CliContext context) {
        this.context = context;
        spec.addOption(Specs.dataDir());
        spec.addPositional(Specs.atLeastOne(String.class, "REF", "Image names or IDs."));
    }

    @Override
    public Integer call() throws JsonProcessingException {
        Images store = context.imageStore().apply(Specs.value(spec, Specs.DATA_DIR));
        ArrayNode out = ImageInspection.JSON.createArrayNode();
        int code = Main.OK;
        var err = spec.commandLine().getErr();
        for (String ref : Specs.<String>positionals(spec)) {
            Optional<ImageDetails> details = store.inspect(ref);
            if (details.isEmpty()) {
                err.println("Error: failed to inspect image " + ref + ": image not known");
                err.flush();
                code = Main.FAILURE;
                continue;
            }
            out.add(ImageInspection.of(details.get()));
        }
        var stdout = spec.commandLine().getOut();
        stdout.println(ImageInspection.JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
        stdout.flush();
        return code;
    }
}
