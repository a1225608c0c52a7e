package dev.peapod.node.spec;

import dev.peapod.oci.spec.Process;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.OptionalLong;

/**
 * Decides the uid, gid and supplementary groups of the container process.
 *
 * <p>Precedence (https://kubernetes.io/docs/tasks/configure-pod-container/security-context/):
 * {@code runAsUser} (container over pod) replaces the image's {@code User}; {@code runAsGroup}
 * replaces the primary group. As in containerd's {@code oci.WithUser}: a numeric user without a
 * group takes its group from {@code /etc/passwd} (0 when absent); a user or group name must be
 * found there, else the container fails to create. Without {@code runAsUser}, a {@code runAsGroup}
 * applies to the image's user (CRI-O's behaviour; containerd refuses the combination).
 *
 * <p>Supplementary groups follow containerd's {@code WithAdditionalGIDs} +
 * {@code WithSupplementalGroups}: the primary gid, the {@code /etc/group} entries listing the
 * user (unless {@code supplementalGroupsPolicy: Strict}), then fsGroup and supplementalGroups,
 * without duplicates.
 */
final class Users {
    private Users() {}

    static Process.User resolve(SpecInput in, Security sec) {
        String imageUser = in.image().user() == null ? "" : in.image().user().strip();
        verifyNonRoot(in.pod(), in.container(), sec, imageUser);
        UserResolver db = in.facts().users();
        Ids ids = sec.runAsUser() != null ? byUid(sec.runAsUser(), db) : fromImage(imageUser, db, in.container());
        long gid = sec.runAsGroup() != null ? sec.runAsGroup() : ids.gid();

        var groups = new LinkedHashSet<Long>();
        groups.add(gid);
        if (!sec.strictGroups() && ids.name() != null) groups.addAll(db.groupsListing(ids.name()));
        groups.addAll(sec.supplementalGroups());
        return new Process.User(ids.uid(), gid, null, new ArrayList<>(groups));
    }

    /** uid, primary gid and the passwd name (null when the uid has no entry). */
    private record Ids(long uid, long gid, String name) {}

    private static Ids byUid(long uid, UserResolver db) {
        return db.user(uid).map(u -> new Ids(uid, u.gid(), u.name())).orElse(new Ids(uid, 0, null));
    }

    private static Ids fromImage(String imageUser, UserResolver db, Container c) {
        // No USER in the image: root with gid 0, without a passwd lookup (containerd default).
        if (imageUser.isEmpty()) return new Ids(0, 0, db.user(0).map(Passwd.User::name).orElse(null));
        String[] parts = imageUser.split(":", -1);
        if (parts.length > 2) {
            throw failure(c, "invalid USER value " + quote(imageUser));
        }
        OptionalLong uid = number(parts[0]);
        Ids user = uid.isPresent() ? byUid(uid.getAsLong(), db) : byName(parts[0], db, c);
        if (parts.length == 1) return user;
        OptionalLong gid = number(parts[1]);
        if (gid.isPresent()) return new Ids(user.uid(), gid.getAsLong(), user.name());
        OptionalLong named = db.group(parts[1]);
        if (named.isEmpty()) {
            throw failure(c, "no group " + quote(parts[1]) + " found in the image's /etc/group");
        }
        return new Ids(user.uid(), named.getAsLong(), user.name());
    }

    private static Ids byName(String name, UserResolver db, Container c) {
        return db.user(name).map(u -> new Ids(u.uid(), u.gid(), u.name()))
                .orElseThrow(() -> failure(c, "no user " + quote(name) + " found in the image's /etc/passwd"));
    }

    /**
     * kubelet {@code verifyRunAsNonRoot} (pkg/kubelet/kuberuntime/security_context_others.go):
     * checked against runAsUser, else against the image's user; a user name cannot be verified.
     */
    private static void verifyNonRoot(Pod pod, Container c, Security sec, String imageUser) {
        if (!sec.runAsNonRoot()) return;
        String where = "(pod: " + quote(podRef(pod)) + ", container: " + c.getName() + ")";
        String cause = null;
        if (sec.runAsUser() != null) {
            if (sec.runAsUser() == 0) cause = "container's runAsUser breaks non-root policy " + where;
        } else {
            String user = imageUser.split(":", -1)[0];
            OptionalLong uid = user.isEmpty() ? OptionalLong.of(0) : number(user);
            if (uid.isPresent() && uid.getAsLong() == 0) {
                cause = "container has runAsNonRoot and image will run as root " + where;
            } else if (uid.isEmpty()) {
                cause = "container has runAsNonRoot and image has non-numeric user (" + user
                        + "), cannot verify user is non-root " + where;
            } else if (uid.getAsLong() > Integer.MAX_VALUE) {
                cause = "container has runAsNonRoot and image has an invalid user id (" + uid.getAsLong()
                        + "). (Must be 1-(" + Integer.MAX_VALUE + ")): must be between 0 and "
                        + Integer.MAX_VALUE + ", inclusive " + where;
            }
        }
        // kubelet's startContainer reports the bare error as the waiting message (and in the
        // "Error: ..." event), without a "failed to ..." prefix, so users can grep for it as is.
        if (cause != null) throw new SpecException(SpecException.CREATE_CONTAINER_CONFIG_ERROR, cause);
    }

    /** kubelet's format.Pod: name_namespace(uid). */
    private static String podRef(Pod pod) {
        var m = pod.getMetadata();
        return m.getName() + "_" + m.getNamespace() + "(" + m.getUid() + ")";
    }

    private static SpecException failure(Container c, String cause) {
        return new SpecException(SpecException.CREATE_CONTAINER_ERROR,
                "failed to resolve user of container " + quote(c.getName()) + ": " + cause);
    }

    private static OptionalLong number(String s) {
        if (s.isEmpty() || !s.chars().allMatch(Character::isDigit)) return OptionalLong.empty();
        try {
            return OptionalLong.of(Long.parseLong(s));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static String quote(String s) { return "\"" + s + "\""; }

}
