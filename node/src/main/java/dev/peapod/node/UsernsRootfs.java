package dev.peapod.node;

import dev.peapod.node.spec.PodUserNamespace;
import dev.peapod.oci.Mounter;
import dev.peapod.oci.OciException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The root filesystem of a {@code hostUsers: false} container. The shared image layers are
 * owned by host root and must not be chowned (other pods use them), and overlayfs itself cannot
 * be idmapped, so each layer is bind-mounted idmapped into the bundle (overlayfs accepts
 * idmapped lower layers since Linux 5.19) and the container's fresh upper and work directories
 * are owned by the pod's host root id: the container's root then owns the image's files, and
 * what it writes lands in the upper directory owned by ids of the pod's range on the host.
 */
final class UsernsRootfs {
    private UsernsRootfs() {}

    /**
     * The lower directories to stack: {@code layers} as they are for a pod in the host's user
     * namespace, else idmapped copies of them (unmounted by the registered cleanups).
     */
    static List<Path> layers(Mounter mounter, List<Path> layers, PodUserNamespace userns, Path bundle, Path rw,
                             List<Rollback.Undo> cleanups) throws IOException {
        if (userns == null) return layers;
        var targets = new ArrayList<Path>();
        for (int i = 0; i < layers.size(); i++) {
            Path t = bundle.resolve("lower").resolve(Integer.toString(i));
            Files.createDirectories(t);
            targets.add(t);
        }
        try {
            mounter.bindIdmapped(layers, targets, userns.hostId(), userns.size());
        } catch (OciException e) {
            for (Path t : targets) mounter.unmount(t, true);
            throw new IOException("hostUsers: false needs idmapped mounts of the image layers: " + e.getMessage(), e);
        }
        for (Path t : targets) cleanups.add(() -> mounter.unmount(t, true));
        for (Path dir : List.of(rw, rw.resolve("upper"), rw.resolve("work"))) {
            Files.setAttribute(dir, "unix:uid", (int) userns.hostId(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(dir, "unix:gid", (int) userns.hostId(), LinkOption.NOFOLLOW_LINKS);
        }
        return targets;
    }
}
