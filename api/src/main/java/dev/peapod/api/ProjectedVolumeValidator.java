package dev.peapod.api;

import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.ProjectedVolumeSource;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import io.fabric8.kubernetes.api.model.VolumeProjection;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code validateProjectedVolumeSource} / {@code validateProjectionSources}. Conflicting paths and
 * the token's path are reported at the projected volume's path, as Kubernetes does.
 */
final class ProjectedVolumeValidator {
    private ProjectedVolumeValidator() { }

    static void projected(ProjectedVolumeSource pr, FieldPath p, List<FieldError> errs) {
        VolumeValidator.mode(pr.getDefaultMode(), p.child("defaultMode"), errs);
        Set<String> paths = new HashSet<>();
        List<VolumeProjection> sources = Empty.list(pr.getSources());
        for (int i = 0; i < sources.size(); i++) {
            VolumeProjection s = sources.get(i);
            FieldPath src = p.child("sources").index(i);
            int count = 0;
            if (s.getSecret() != null) {
                count++;
                VolumeValidator.requireNonEmpty(s.getSecret().getName(), src.child("secret", "name"), errs);
                keyPaths(s.getSecret().getItems(), Empty.str(s.getSecret().getName()), src.child("secret", "items"), p, paths, errs);
            }
            if (s.getConfigMap() != null) {
                count++;
                VolumeValidator.requireNonEmpty(s.getConfigMap().getName(), src.child("configMap", "name"), errs);
                keyPaths(s.getConfigMap().getItems(), Empty.str(s.getConfigMap().getName()), src.child("configMap", "items"), p, paths, errs);
            }
            if (s.getDownwardAPI() != null) {
                count++;
                for (DownwardAPIVolumeFile f : Empty.list(s.getDownwardAPI().getItems())) {
                    VolumeValidator.downwardApiFile(f, src.child("downwardAPI"), errs);
                    conflict(Empty.str(f.getPath()), Empty.str(f.getPath()), p, paths, errs);
                }
            }
            if (s.getServiceAccountToken() != null) {
                count++;
                token(s.getServiceAccountToken(), src.child("serviceAccountToken"), p, errs);
            }
            if (s.getClusterTrustBundle() != null) {
                count++;
            }
            if (s.getPodCertificate() != null) {
                count++;
            }
            if (count > 1) {
                errs.add(FieldError.forbidden(src.value(), "may not specify more than 1 volume type per source"));
            }
        }
    }

    private static void keyPaths(List<KeyToPath> items, String sourceName, FieldPath itemsPath, FieldPath volume,
                                 Set<String> paths, List<FieldError> errs) {
        List<KeyToPath> list = Empty.list(items);
        for (int j = 0; j < list.size(); j++) {
            VolumeValidator.keyToPath(list.get(j), itemsPath.index(j), errs);
            conflict(Empty.str(list.get(j).getPath()), sourceName, volume, paths, errs);
        }
    }

    private static void conflict(String path, Object reported, FieldPath volume, Set<String> paths, List<FieldError> errs) {
        if (!path.isEmpty() && !paths.add(path)) {
            errs.add(FieldError.invalid(volume.value(), reported, "conflicting duplicate paths"));
        }
    }

    private static void token(ServiceAccountTokenProjection t, FieldPath p, FieldPath volume, List<FieldError> errs) {
        long seconds = Empty.num(t.getExpirationSeconds());
        if (seconds < 10 * 60) {
            errs.add(FieldError.invalid(p.child("expirationSeconds").value(), seconds, "may not specify a duration less than 10 minutes"));
        }
        if (seconds > 1L << 32) {
            errs.add(FieldError.invalid(p.child("expirationSeconds").value(), seconds, "may not specify a duration larger than 2^32 seconds"));
        }
        if (Empty.isEmpty(t.getPath())) {
            errs.add(FieldError.required(volume.child("path").value(), ""));
        } else {
            VolumeValidator.localNonReservedPath(t.getPath(), volume.child("path"), errs);
        }
    }
}
