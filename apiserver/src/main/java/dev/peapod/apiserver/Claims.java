package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.api.FieldError;
import dev.peapod.api.Manifests;
import dev.peapod.api.PersistentVolumeClaimValidator;
import dev.peapod.api.Quantities;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PersistentVolumeClaims in {@code peapod serve}, as on a one-node cluster whose default StorageClass is a
 * local-path provisioner (kind, k3s) with Immediate binding: a claim is validated as kube-apiserver's
 * {@code ValidatePersistentVolumeClaim}, and bound at once to a volume of its own ({@code pvc-<uid>}, the name
 * external provisioners give), which the node provides as the directory {@code <data-dir>/volumes/pvc/<ns>/<name>}.
 * There are no PersistentVolume objects: {@code status} says Bound, with the claim's access modes and its request
 * as capacity (https://kubernetes.io/docs/concepts/storage/persistent-volumes/#binding).
 */
public final class Claims {
    private Claims() {}

    /**
     * Storage Object in Use Protection (https://kubernetes.io/docs/concepts/storage/persistent-volumes/#storage-object-in-use-protection):
     * admission adds this finalizer to every claim; a deleted claim stays Terminating until the node's claim
     * protection (daemon ClaimProtection) sees no pod using it, removes its directory and then the finalizer.
     */
    public static final String PROTECTION = "kubernetes.io/pvc-protection";

    /** The admitted claim: decoded strictly, validated, bound. */
    static ObjectNode create(ObjectNode o) {
        o.remove("status");
        ObjectNode out = admitted(o);
        ObjectNode meta = Json.meta(out);
        var finalizers = meta.get("finalizers") instanceof com.fasterxml.jackson.databind.node.ArrayNode a ? a : meta.putArray("finalizers");
        boolean protectedAlready = false;
        for (JsonNode f : finalizers) protectedAlready |= f.asText().equals(PROTECTION);
        if (!protectedAlready) finalizers.add(PROTECTION);
        ObjectNode spec = out.get("spec") instanceof ObjectNode s ? s : out.putObject("spec");
        // Defaults of the v1 API (SetDefaults_PersistentVolumeClaimSpec): a filesystem volume.
        if (!spec.has("volumeMode")) spec.put("volumeMode", "Filesystem");
        spec.put("volumeName", "pvc-" + out.at("/metadata/uid").asText());
        ObjectNode status = out.putObject("status").put("phase", "Bound");
        status.set("accessModes", spec.path("accessModes").deepCopy());
        status.putObject("capacity").set("storage", spec.at("/resources/requests/storage").deepCopy());
        return out;
    }

    /**
     * An update: ValidatePersistentVolumeClaimUpdate allows a bound claim's spec to change only in
     * {@code resources.requests} (and volumeAttributesClassName, which Peapod does not serve); a storage
     * request may grow (the provisioner expands the volume — a directory has no size to change, so the
     * new size is the capacity at once) but not shrink below the capacity.
     */
    static ObjectNode update(JsonNode old, ObjectNode o) {
        ObjectNode out = admitted(o);
        String name = out.at("/metadata/name").asText();
        if (!withoutRequests(old.path("spec")).equals(withoutRequests(out.path("spec")))) {
            throw ApiException.invalid(ResourceType.PERSISTENT_VOLUME_CLAIMS, name, List.of(FieldError.forbidden("spec",
                    "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims")));
        }
        JsonNode before = old.at("/status/capacity/storage"), after = out.at("/spec/resources/requests/storage");
        if (before.isTextual() && Quantities.value(after.asText()).compareTo(Quantities.value(before.asText())) < 0) {
            throw ApiException.invalid(ResourceType.PERSISTENT_VOLUME_CLAIMS, name, List.of(FieldError.forbidden(
                    "spec.resources.requests.storage", "field can not be less than status.capacity")));
        }
        if (out.path("status") instanceof ObjectNode status && status.path("capacity") instanceof ObjectNode capacity) {
            capacity.set("storage", after.deepCopy());
        }
        return out;
    }

    /** Strictly decoded and valid (422 with the validator's field paths otherwise). */
    private static ObjectNode admitted(ObjectNode o) {
        var claim = (PersistentVolumeClaim) Admission.decode(ResourceType.PERSISTENT_VOLUME_CLAIMS, o);
        List<FieldError> errors = PersistentVolumeClaimValidator.validate(claim);
        if (!errors.isEmpty()) throw ApiException.invalid(ResourceType.PERSISTENT_VOLUME_CLAIMS, claim.getMetadata().getName(), errors);
        return (ObjectNode) Json.parse(Manifests.toJson(claim));
    }

    private static JsonNode withoutRequests(JsonNode spec) {
        ObjectNode s = spec.deepCopy();
        if (s.get("resources") instanceof ObjectNode r) {
            r.remove("requests");
            if (r.isEmpty()) s.remove("resources");
        }
        return s;
    }

    static final List<Tables.Column> COLUMNS = List.of(
            Tables.NAME,
            new Tables.Column("Status", "phase represents the current phase of PersistentVolumeClaim.", 0),
            new Tables.Column("Volume", "volumeName is the binding reference to the PersistentVolume backing this claim.", 0),
            new Tables.Column("Capacity", "capacity represents the actual resources of the underlying volume.", 0),
            new Tables.Column("Access Modes", "accessModes contains the actual access modes the volume backing the PVC has.", 0),
            new Tables.Column("StorageClass", "StorageClass of the pvc", 0),
            new Tables.Column("VolumeAttributesClass", "VolumeAttributesClass of the pvc", 0),
            Tables.AGE,
            new Tables.Column("VolumeMode", "volumeMode defines what type of volume is required by the claim.", 1));

    /** Short access-mode names in the order kubectl prints them (GetAccessModesAsString). */
    private static final Map<String, String> MODES = new java.util.LinkedHashMap<>();
    static {
        MODES.put("ReadWriteOnce", "RWO");
        MODES.put("ReadOnlyMany", "ROX");
        MODES.put("ReadWriteMany", "RWX");
        MODES.put("ReadWriteOncePod", "RWOP");
    }

    /**
     * kube-apiserver's printPersistentVolumeClaim: "Terminating" once deleted, the capacity only when bound,
     * "&lt;unset&gt;" for an unset volume attributes class and volume mode.
     */
    static List<String> cells(JsonNode o, String name, String age) {
        String phase = o.at("/metadata/deletionTimestamp").isTextual() ? "Terminating" : o.at("/status/phase").asText("");
        String volume = o.at("/spec/volumeName").asText("");
        String capacity = "", modes = "";
        if (!volume.isEmpty()) {
            capacity = o.at("/status/capacity/storage").asText("");
            var have = new ArrayList<String>();
            o.at("/status/accessModes").forEach(m -> have.add(m.asText()));
            var shortNames = new ArrayList<String>();
            MODES.forEach((mode, abbreviation) -> { if (have.contains(mode)) shortNames.add(abbreviation); });
            modes = String.join(",", shortNames);
        }
        return List.of(name, phase, volume, capacity, modes, o.at("/spec/storageClassName").asText(""),
                o.at("/spec/volumeAttributesClassName").asText("<unset>"), age, o.at("/spec/volumeMode").asText("<unset>"));
    }
}
