package dev.peapod.cli;

import dev.peapod.image.Image;
import dev.peapod.image.ImagePuller;
import dev.peapod.image.Images;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code peapod image pull REF…}: pulls images from their registries into the local store, with
 * a progress line per layer (bytes and rate, redrawn in place on a terminal; one line per layer
 * when done otherwise), then {@code Pulled image: NAME (ID)}. Options as podman's:
 * {@code --authfile}, {@code --creds USER:PASSWORD}, {@code --tls-verify=false}.
 */
final class ImagePullCommand implements Callable<Integer> {
    private final CliContext context;
    final CommandSpec spec = Specs.command(this, "pull", "Pull images from registries.");

    ImagePullCommand(CliContext context) {
        this.context = context;
        spec.addOption(Specs.dataDir());
        spec.addOption(OptionSpec.builder("--authfile").type(Path.class).paramLabel("FILE")
                .description("Credentials file (Docker config.json format; default: podman's and Docker's).").build());
        spec.addOption(OptionSpec.builder("--creds").type(String.class).paramLabel("USER:PASSWORD")
                .description("Credentials for the image's registry.").build());
        spec.addOption(OptionSpec.builder("--tls-verify").type(boolean.class).arity("0..1").defaultValue("true")
                .fallbackValue("true").description("Verify the registry's certificate (default: true).").build());
        spec.addPositional(Specs.atLeastOne(String.class, "REF", "Images to pull (busybox, registry:5000/app:1.0, name@sha256:…)."));
    }

    @Override
    public Integer call() {
        Images store = context.imageStore().apply(Specs.value(spec, Specs.DATA_DIR));
        var out = spec.commandLine().getOut();
        String credsValue = Specs.value(spec, "--creds");
        boolean tty = System.console() != null && System.console().isTerminal();
        for (String ref : Specs.<String>positionals(spec)) {
            List<ImagePuller.Credentials> creds = new ArrayList<>();
            if (credsValue != null) creds.add(RegistryAccess.creds(credsValue, ref));
            ImagePuller puller = RegistryAccess.puller(store, Specs.value(spec, "--authfile"), creds,
                    Specs.<Boolean>value(spec, "--tls-verify"));
            var printer = new PullPrinter(out, tty, System::nanoTime);
            Image image;
            try {
                image = puller.pull(ref, List.of(), printer);
            } finally {
                // Its HTTP client's selector thread would hold the JVM's exit ~300 ms (RegistryPuller#close).
                if (puller instanceof AutoCloseable c) close(c);
            }
            printer.finish();
            out.println("Pulled image: " + (image.names().isEmpty() ? ref : String.join(", ", image.names()))
                    + " (" + image.id() + ")");
            out.flush();
        }
        return Main.OK;
    }

    private static void close(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // the pull's outcome is what counts; exiting ends the client anyway
        }
    }
}
