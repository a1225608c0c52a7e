package dev.peapod.api;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * kube-apiserver's {@code ValidatePersistentVolumeClaim} (pkg/apis/core/validation/validation.go),
 * the parts that apply to a claim Peapod provisions as a local directory: the name a DNS subdomain
 * ({@code ValidatePersistentVolumeName}), {@code spec.accessModes} required and each one of the four
 * modes, {@code ReadWriteOncePod} alone, {@code spec.resources[storage]} required and positive,
 * {@code storageClassName} a DNS subdomain, {@code volumeMode} Block or Filesystem. Objects must be
 * defaulted (namespace set) first.
 *
 * <p>Beyond kube-apiserver: Peapod provisions directories only, so {@code volumeMode: Block} is
 * refused here (Kubernetes would leave such a claim Pending for want of a block provisioner).
 */
public final class PersistentVolumeClaimValidator {
    /** {@code supportedAccessModes} plus ReadWriteOncePod, sorted as {@code sets.List} returns them. */
    static final List<String> ACCESS_MODES = List.of("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod");
    static final List<String> VOLUME_MODES = List.of("Block", "Filesystem");

    private PersistentVolumeClaimValidator() { }

    public static List<FieldError> validate(PersistentVolumeClaim pvc) {
        List<FieldError> errs = new ArrayList<>();
        MetaValidator.objectMeta(pvc.getMetadata(), FieldPath.METADATA, errs);
        PersistentVolumeClaimSpec spec = pvc.getSpec() == null ? new PersistentVolumeClaimSpec() : pvc.getSpec();
        FieldPath p = FieldPath.SPEC;
        List<String> modes = Empty.list(spec.getAccessModes());
        if (modes.isEmpty()) {
            errs.add(FieldError.required(p.child("accessModes").value(), "at least 1 access mode is required"));
        }
        boolean rwop = false, other = false;
        for (String mode : modes) {
            if (!ACCESS_MODES.contains(mode)) {
                errs.add(FieldError.notSupported(p.child("accessModes").value(), mode, ACCESS_MODES));
            } else if ("ReadWriteOncePod".equals(mode)) {
                rwop = true;
            } else {
                other = true;
            }
        }
        if (rwop && other) {
            errs.add(FieldError.forbidden(p.child("accessModes").value(), "may not use ReadWriteOncePod with other access modes"));
        }
        FieldPath storage = p.child("resources").key("storage");
        Quantity request = spec.getResources() == null ? null : Empty.map(spec.getResources().getRequests()).get("storage");
        if (request == null) {
            errs.add(FieldError.required(storage.value(), ""));
        } else {
            BigDecimal v = Quantities.isValid(Quantities.text(request)) ? Quantities.value(request) : null;
            if (v == null) {
                errs.add(FieldError.invalid(storage.value(), Quantities.text(request), Quantities.FORMAT_ERROR));
            } else if (v.signum() < 0) {
                // ValidateResourceQuantityValue, then ValidatePositiveQuantityValue: both report a negative size.
                errs.add(FieldError.invalid(storage.value(), Quantities.canonical(request), Formats.NEGATIVE));
                errs.add(FieldError.invalid(storage.value(), Quantities.canonical(request), "must be greater than zero"));
            } else if (v.signum() == 0) {
                errs.add(FieldError.invalid(storage.value(), Quantities.canonical(request), "must be greater than zero"));
            }
        }
        String storageClass = spec.getStorageClassName();
        if (!Empty.isEmpty(storageClass)) {
            for (String msg : Formats.dns1123Subdomain(storageClass)) {
                errs.add(FieldError.invalid(p.child("storageClassName").value(), storageClass, msg));
            }
        }
        String volumeMode = spec.getVolumeMode();
        if (volumeMode != null && !VOLUME_MODES.contains(volumeMode)) {
            errs.add(FieldError.notSupported(p.child("volumeMode").value(), volumeMode, VOLUME_MODES));
        } else if ("Block".equals(volumeMode)) {
            errs.add(FieldError.notSupported(p.child("volumeMode").value(), volumeMode, List.of("Filesystem")));
        }
        return errs;
    }

    /**
     * Whether {@code namespace/name} can name a claim: a DNS-1123 label and a DNS-1123 subdomain, so
     * neither holds a {@code /} nor is {@code .} or {@code ..} (what makes a claim's directory safe).
     */
    public static boolean validKey(String namespace, String name) {
        return namespace != null && name != null && Formats.dns1123Label(namespace).isEmpty()
                && Formats.subdomainName(name, false).isEmpty();
    }

    /**
     * The pod's {@code persistentVolumeClaim} volumes whose claim is not among {@code claims}
     * ({@code namespace/name} keys). Kubernetes accepts such a pod and its scheduler leaves it
     * Pending ({@code persistentvolumeclaim "X" not found}); {@code peapod up} knows every object
     * up front, so it refuses the pod before anything runs, naming the field.
     */
    public static List<FieldError> missingClaims(Pod pod, Set<String> claims) {
        List<FieldError> errs = new ArrayList<>();
        List<Volume> volumes = Empty.list(pod.getSpec().getVolumes());
        for (int i = 0; i < volumes.size(); i++) {
            var source = volumes.get(i).getPersistentVolumeClaim();
            if (source == null || Empty.isEmpty(source.getClaimName())) continue;
            if (!claims.contains(pod.getMetadata().getNamespace() + "/" + source.getClaimName())) {
                errs.add(new FieldError(FieldPath.SPEC.child("volumes").index(i).child("persistentVolumeClaim", "claimName").value(),
                        FieldError.Type.NOT_FOUND, source.getClaimName(),
                        "persistentvolumeclaim " + GoText.quote(source.getClaimName()) + " not found"));
            }
        }
        return errs;
    }
}
