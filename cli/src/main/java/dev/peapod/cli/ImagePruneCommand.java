package dev.peapod.cli;

import dev.peapod.image.Image;
import dev.peapod.image.Images;
import dev.peapod.node.gc.ImagesInUse;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code peapod image prune [-a]}: removes the images no pod of the data dir uses (a pod's images
 * stay in use until the pod is removed, exited containers included; see {@link ImagesInUse}). Like
 * {@code podman image prune}: only dangling (unnamed) images, or with {@code -a} every unused image.
 * Prints {@code Untagged:} per name and {@code Deleted:} per image, then the space reclaimed
 * (layers shared with a kept image are not reclaimed). Asks no confirmation.
 */
final class ImagePruneCommand implements Callable<Integer> {
    private final CliContext context;
    final CommandSpec spec = Specs.command(this, "prune", "Remove images no pod uses: unnamed ones, or all with -a.");

    ImagePruneCommand(CliContext context) {
        this.context = context;
        spec.addOption(Specs.dataDir());
        spec.addOption(Specs.flag("Remove every image no pod uses, not only unnamed ones.", "-a", "--all"));
    }

    @Override
    public Integer call() {
        Path dataDir = Specs.value(spec, Specs.DATA_DIR);
        Images store = context.imageStore().apply(dataDir);
        Set<String> inUse = ImagesInUse.of(dataDir);
        boolean all = Specs.value(spec, "--all");
        List<Image> prune = store.list().stream()
                .filter(i -> !inUse.contains(i.id()) && (all || i.names().isEmpty())).toList();
        long freed = prune.isEmpty() ? 0 : store.removeImages(prune.stream().map(Image::id).toList());
        var out = spec.commandLine().getOut();
        for (Image i : prune) {
            i.names().forEach(n -> out.println("Untagged: " + n));
            out.println("Deleted: " + i.id());
        }
        out.println("Total reclaimed space: " + ImageTable.humanSize(freed));
        out.flush();
        return Main.OK;
    }
}
