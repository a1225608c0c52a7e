package dev.peapod.api;

import io.fabric8.kubernetes.api.model.ConfigMapVolumeSource;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.HostPathVolumeSource;
import io.fabric8.kubernetes.api.model.ImageVolumeSource;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.NFSVolumeSource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimVolumeSource;
import io.fabric8.kubernetes.api.model.ProjectedVolumeSource;
import io.fabric8.kubernetes.api.model.SecretVolumeSource;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeSource;
import io.fabric8.kubernetes.api.model.Volume;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code ValidateVolumes} and {@code validateVolumeSource} for the sources a single host can serve. */
final class VolumeValidator {
    static final String FILE_MODE_ERROR = "must be a number between 0 and 0777 (octal), both inclusive";
    private static final List<String> HOST_PATH_TYPES = List.of("", "BlockDevice", "CharDevice", "Directory",
            "DirectoryOrCreate", "File", "FileOrCreate", "Socket");

    private VolumeValidator() { }

    /**
     * Validates {@code volumes} and returns the valid ones by name: as in Kubernetes, a volume with
     * any error is left out, so mounts of it are also reported ({@code Not found}).
     */
    static Map<String, Volume> volumes(List<Volume> volumes, FieldPath path, List<FieldError> errs) {
        Map<String, Volume> valid = new LinkedHashMap<>();
        for (int i = 0; i < volumes.size(); i++) {
            Volume v = volumes.get(i);
            FieldPath idx = path.index(i);
            FieldPath namePath = idx.child("name");
            List<FieldError> el = new ArrayList<>();
            source(v, idx, el);
            String name = Empty.str(v.getName());
            if (name.isEmpty()) {
                el.add(FieldError.required(namePath.value(), ""));
            } else {
                Formats.dns1123Label(name).forEach(m -> el.add(FieldError.invalid(namePath.value(), name, m)));
            }
            if (valid.containsKey(name)) {
                el.add(FieldError.duplicate(namePath.value(), name));
            }
            if (el.isEmpty()) {
                valid.put(name, v);
            } else {
                errs.addAll(el);
            }
        }
        return valid;
    }

    private static void source(Volume v, FieldPath idx, List<FieldError> errs) {
        List<VolumeSources.Source> present = VolumeSources.present(v);
        if (present.isEmpty()) {
            errs.add(FieldError.required(idx.value(), "must specify a volume type"));
        }
        for (int k = 0; k < present.size(); k++) {
            VolumeSources.Source s = present.get(k);
            if (k > 0) {
                // Kubernetes' own spelling of this one path ("downwarAPI") is kept on purpose.
                String name = "downwardAPI".equals(s.name()) ? "downwarAPI" : s.name();
                errs.add(FieldError.forbidden(idx.child(name).value(), "may not specify more than 1 volume type"));
            } else {
                detail(s.value(), idx.child(s.name()), errs);
            }
        }
    }

    private static void detail(Object source, FieldPath p, List<FieldError> errs) {
        switch (source) {
            case EmptyDirVolumeSource e -> emptyDir(e, p, errs);
            case HostPathVolumeSource h -> hostPath(h, p, errs);
            case SecretVolumeSource s -> {
                requireNonEmpty(s.getSecretName(), p.child("secretName"), errs);
                fileModes(s.getDefaultMode(), s.getItems(), p, errs);
            }
            case ConfigMapVolumeSource c -> {
                requireNonEmpty(c.getName(), p.child("name"), errs);
                fileModes(c.getDefaultMode(), c.getItems(), p, errs);
            }
            case DownwardAPIVolumeSource d -> {
                mode(d.getDefaultMode(), p.child("defaultMode"), errs);
                Empty.list(d.getItems()).forEach(f -> downwardApiFile(f, p, errs));
            }
            case ProjectedVolumeSource pr -> ProjectedVolumeValidator.projected(pr, p, errs);
            case PersistentVolumeClaimVolumeSource c -> requireNonEmpty(c.getClaimName(), p.child("claimName"), errs);
            case NFSVolumeSource n -> {
                requireNonEmpty(n.getServer(), p.child("server"), errs);
                requireNonEmpty(n.getPath(), p.child("path"), errs);
                if (!Empty.str(n.getPath()).startsWith("/")) {
                    errs.add(FieldError.invalid(p.child("path").value(), Empty.str(n.getPath()), "must be an absolute path"));
                }
            }
            case ImageVolumeSource i -> {
                requireNonEmpty(i.getReference(), p.child("reference"), errs);
                ContainerValidator.pullPolicy(i.getPullPolicy(), p.child("pullPolicy"), errs);
            }
            default -> { } // other sources: only "exactly one source" applies; the node reports what it cannot mount
        }
    }

    /**
     * Kubernetes checks only sizeLimit; the medium is checked here as well because the kubelet would
     * otherwise fail the mount later with "unknown storage medium" (pkg/volume/emptydir).
     */
    private static void emptyDir(EmptyDirVolumeSource e, FieldPath p, List<FieldError> errs) {
        if (e.getSizeLimit() != null && Quantities.isValid(Quantities.text(e.getSizeLimit()))
                && Quantities.value(e.getSizeLimit()).signum() < 0) {
            errs.add(FieldError.forbidden(p.child("sizeLimit").value(), "SizeLimit field must be a valid resource quantity"));
        }
        String medium = Empty.str(e.getMedium());
        if (!medium.isEmpty() && !medium.equals("Memory") && !medium.equals("HugePages") && !medium.startsWith("HugePages-")) {
            errs.add(FieldError.notSupported(p.child("medium").value(), medium, List.of("", "HugePages", "Memory")));
        }
    }

    /**
     * {@code validateHostPathVolumeSource}, plus one Peapod rule: the path must be absolute. Kubernetes
     * leaves relative paths to the runtime; on a single host they would resolve against the daemon's
     * working directory, which is never what a manifest means.
     */
    private static void hostPath(HostPathVolumeSource h, FieldPath p, List<FieldError> errs) {
        String path = Empty.str(h.getPath());
        if (path.isEmpty()) {
            errs.add(FieldError.required(p.child("path").value(), ""));
            return;
        }
        noBacksteps(path, p.child("path"), errs);
        if (!path.startsWith("/")) {
            errs.add(FieldError.invalid(p.child("path").value(), path, "must be an absolute path"));
        }
        if (h.getType() != null && !HOST_PATH_TYPES.contains(h.getType())) {
            errs.add(FieldError.notSupported(p.child("type").value(), h.getType(), HOST_PATH_TYPES));
        }
    }

    private static void fileModes(Integer defaultMode, List<KeyToPath> items, FieldPath p, List<FieldError> errs) {
        mode(defaultMode, p.child("defaultMode"), errs);
        List<KeyToPath> list = Empty.list(items);
        for (int i = 0; i < list.size(); i++) {
            keyToPath(list.get(i), p.child("items").index(i), errs);
        }
    }

    static void keyToPath(KeyToPath kp, FieldPath p, List<FieldError> errs) {
        requireNonEmpty(kp.getKey(), p.child("key"), errs);
        requireNonEmpty(kp.getPath(), p.child("path"), errs);
        localNonReservedPath(Empty.str(kp.getPath()), p.child("path"), errs);
        mode(kp.getMode(), p.child("mode"), errs);
    }

    /**
     * {@code validateDownwardAPIVolumeFile}. Kubernetes reports these at the volume source's path, not
     * at {@code items[i]}; the same paths are kept here.
     */
    static void downwardApiFile(DownwardAPIVolumeFile f, FieldPath p, List<FieldError> errs) {
        requireNonEmpty(f.getPath(), p.child("path"), errs);
        localNonReservedPath(Empty.str(f.getPath()), p.child("path"), errs);
        if (f.getFieldRef() != null) {
            DownwardApiValidator.fieldRef(f.getFieldRef(), DownwardApiValidator.VOLUME_FIELDS, p.child("fieldRef"), errs);
            if (f.getResourceFieldRef() != null) {
                errs.add(FieldError.invalid(p.value(), "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"));
            }
        } else if (f.getResourceFieldRef() != null) {
            DownwardApiValidator.resourceFieldRef(f.getResourceFieldRef(), true, p.child("resourceFieldRef"), errs);
        } else {
            errs.add(FieldError.required(p.value(), "one of fieldRef and resourceFieldRef is required"));
        }
        mode(f.getMode(), p.child("mode"), errs);
    }

    static void mode(Integer mode, FieldPath p, List<FieldError> errs) {
        if (mode != null && (mode > 0777 || mode < 0)) {
            errs.add(FieldError.invalid(p.value(), mode, FILE_MODE_ERROR));
        }
    }

    static void requireNonEmpty(String value, FieldPath p, List<FieldError> errs) {
        if (Empty.isEmpty(value)) {
            errs.add(FieldError.required(p.value(), ""));
        }
    }

    /** {@code ValidateLocalNonReservedPath}: relative, no {@code ..} element, not starting with {@code ..}. */
    static void localNonReservedPath(String path, FieldPath p, List<FieldError> errs) {
        localDescendingPath(path, p, errs);
        if (path.startsWith("..") && !path.startsWith("../")) {
            errs.add(FieldError.invalid(p.value(), path, "must not start with '..'"));
        }
    }

    /** {@code validateLocalDescendingPath}: relative and without {@code ..} elements. */
    static void localDescendingPath(String path, FieldPath p, List<FieldError> errs) {
        if (path.startsWith("/")) {
            errs.add(FieldError.invalid(p.value(), path, "must be a relative path"));
        }
        noBacksteps(path, p, errs);
    }

    /** {@code validatePathNoBacksteps}: one error even for {@code ../../..}. */
    static void noBacksteps(String path, FieldPath p, List<FieldError> errs) {
        for (String element : path.split("/", -1)) {
            if (element.equals("..")) {
                errs.add(FieldError.invalid(p.value(), path, "must not contain '..'"));
                return;
            }
        }
    }
}
