package dev.peapod.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peapod.apiserver.Claims;
import dev.peapod.apiserver.Finalizers;
import dev.peapod.node.ClaimVolumes;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.StoreException;
import dev.peapod.store.Stored;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * kube-controller-manager's pvc-protection controller and a local-path provisioner's Delete reclaim policy, in
 * {@code peapod serve}: a deleted claim ({@code deletionTimestamp} set, held by the
 * {@code kubernetes.io/pvc-protection} finalizer) is released once no pod uses it — no pod object in the store
 * names it, and no pod on the node still records it ({@link ClaimVolumes#claims}) — and then its directory is
 * removed and the finalizer with it, so the claim goes
 * (https://kubernetes.io/docs/concepts/storage/persistent-volumes/#storage-object-in-use-protection,
 * https://kubernetes.io/docs/concepts/storage/persistent-volumes/#delete).
 *
 * <p>Peapod counts any pod object naming the claim as a user, terminal ones too (they keep their pod directory
 * until deleted); the controller in Kubernetes lets go of a claim once its pods have terminated.
 */
final class ClaimProtection implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("peapod.daemon");
    static final Duration PERIOD = Duration.ofSeconds(1);

    private final ObjectStore store;
    private final Path dataDir;
    private Periodic loop;

    ClaimProtection(ObjectStore store, Path dataDir) {
        this.store = store;
        this.dataDir = dataDir;
    }

    void start() { loop = Periodic.every(PERIOD, "pvc-protection", this::sweep); }

    /** Releases the deleted claims no pod uses; returns how many. */
    int sweep() {
        int released = 0;
        for (Stored claim : store.list("persistentvolumeclaims", null).items()) {
            JsonNode meta = claim.object().path("metadata");
            if (!meta.path("deletionTimestamp").isTextual() || !hasProtection(meta)) continue;
            String ns = claim.key().namespace(), name = claim.key().name();
            if (usedByAPod(ns, name)) continue;
            try {
                ClaimVolumes.remove(dataDir, ns, name);
            } catch (NoSuchFileException e) {
                // never mounted: nothing was provisioned
            } catch (IllegalStateException e) {
                continue; // a pod on the node still has it: next round
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "pvc-protection: removing the directory of claim " + ns + "/" + name + ": " + e);
                continue;
            }
            try {
                Finalizers.release(store, claim, Claims.PROTECTION);
                released++;
            } catch (StoreException.Conflict | StoreException.NotFound e) {
                // written or gone meanwhile: next round sees it again
            }
        }
        return released;
    }

    private static boolean hasProtection(JsonNode meta) {
        for (JsonNode f : meta.path("finalizers")) if (f.asText().equals(Claims.PROTECTION)) return true;
        return false;
    }

    private boolean usedByAPod(String namespace, String claim) {
        for (Stored pod : store.list("pods", namespace).items()) {
            for (JsonNode v : pod.object().at("/spec/volumes")) {
                if (claim.equals(v.at("/persistentVolumeClaim/claimName").asText(null))) return true;
            }
        }
        return false;
    }

    @Override
    public void close() { if (loop != null) loop.close(); }
}
