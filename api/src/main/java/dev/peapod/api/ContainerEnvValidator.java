package dev.peapod.api;

import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.FileKeySelector;
import io.fabric8.kubernetes.api.model.SecretKeySelector;

import java.util.List;

/** {@code ValidateEnv}, {@code validateEnvVarValueFrom} and {@code ValidateEnvFrom}. */
final class ContainerEnvValidator {
    private ContainerEnvValidator() { }

    static void env(List<EnvVar> vars, FieldPath path, List<FieldError> errs) {
        for (int i = 0; i < vars.size(); i++) {
            EnvVar ev = vars.get(i);
            FieldPath p = path.index(i);
            String name = Empty.str(ev.getName());
            if (name.isEmpty()) {
                errs.add(FieldError.required(p.child("name").value(), ""));
            } else {
                Formats.relaxedEnvVarName(name).forEach(m -> errs.add(FieldError.invalid(p.child("name").value(), name, m)));
            }
            if (ev.getValueFrom() != null) {
                valueFrom(ev.getValueFrom(), Empty.str(ev.getValue()), p.child("valueFrom"), errs);
            }
        }
    }

    private static void valueFrom(EnvVarSource src, String value, FieldPath p, List<FieldError> errs) {
        int sources = 0;
        if (src.getFieldRef() != null) {
            sources++;
            DownwardApiValidator.fieldRef(src.getFieldRef(), DownwardApiValidator.ENV_FIELDS, p.child("fieldRef"), errs);
        }
        if (src.getResourceFieldRef() != null) {
            sources++;
            DownwardApiValidator.resourceFieldRef(src.getResourceFieldRef(), false, p.child("resourceFieldRef"), errs);
        }
        if (src.getConfigMapKeyRef() != null) {
            sources++;
            ConfigMapKeySelector s = src.getConfigMapKeyRef();
            keySelector(Empty.str(s.getName()), Empty.str(s.getKey()), p.child("configMapKeyRef"), errs);
        }
        if (src.getSecretKeyRef() != null) {
            sources++;
            SecretKeySelector s = src.getSecretKeyRef();
            keySelector(Empty.str(s.getName()), Empty.str(s.getKey()), p.child("secretKeyRef"), errs);
        }
        if (src.getFileKeyRef() != null) {
            sources++;
            fileKeyRef(src.getFileKeyRef(), p.child("fileKeyRef"), errs);
        }
        if (sources == 0) {
            errs.add(FieldError.invalid(p.value(), "",
                    "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
        } else if (!value.isEmpty()) {
            errs.add(FieldError.invalid(p.value(), "", "may not be specified when `value` is not empty"));
        } else if (sources > 1) {
            errs.add(FieldError.invalid(p.value(), "", "may not have more than one field specified at a time"));
        }
    }

    /** {@code validateConfigMapKeySelector}/{@code validateSecretKeySelector}: an empty name fails the name check. */
    private static void keySelector(String name, String key, FieldPath p, List<FieldError> errs) {
        Formats.subdomainName(name, false).forEach(m -> errs.add(FieldError.invalid(p.child("name").value(), name, m)));
        if (key.isEmpty()) {
            errs.add(FieldError.required(p.child("key").value(), ""));
        } else {
            Formats.configMapKey(key).forEach(m -> errs.add(FieldError.invalid(p.child("key").value(), key, m)));
        }
    }

    /** EnvFiles (KEP-3721, beta in 1.35): a key read from a file in one of the pod's volumes. */
    private static void fileKeyRef(FileKeySelector s, FieldPath p, List<FieldError> errs) {
        VolumeValidator.requireNonEmpty(s.getVolumeName(), p.child("volumeName"), errs);
        if (Empty.isEmpty(s.getPath())) {
            errs.add(FieldError.required(p.child("path").value(), ""));
        } else {
            VolumeValidator.localNonReservedPath(s.getPath(), p.child("path"), errs);
        }
        String key = Empty.str(s.getKey());
        if (key.isEmpty()) {
            errs.add(FieldError.required(p.child("key").value(), ""));
        } else {
            Formats.relaxedEnvVarName(key).forEach(m -> errs.add(FieldError.invalid(p.child("key").value(), key, m)));
        }
    }

    static void envFrom(List<EnvFromSource> sources, FieldPath path, List<FieldError> errs) {
        for (int i = 0; i < sources.size(); i++) {
            EnvFromSource ev = sources.get(i);
            FieldPath p = path.index(i);
            String prefix = Empty.str(ev.getPrefix());
            if (!prefix.isEmpty()) {
                Formats.relaxedEnvVarName(prefix).forEach(m -> errs.add(FieldError.invalid(p.child("prefix").value(), prefix, m)));
            }
            int count = 0;
            if (ev.getConfigMapRef() != null) {
                count++;
                refName(ev.getConfigMapRef().getName(), p.child("configMapRef", "name"), errs);
            }
            if (ev.getSecretRef() != null) {
                count++;
                refName(ev.getSecretRef().getName(), p.child("secretRef", "name"), errs);
            }
            // Kubernetes reports both at envFrom, not envFrom[i].
            if (count == 0) {
                errs.add(FieldError.invalid(path.value(), "", "must specify one of: `configMapRef` or `secretRef`"));
            } else if (count > 1) {
                errs.add(FieldError.invalid(path.value(), "", "may not have more than one field specified at a time"));
            }
        }
    }

    private static void refName(String name, FieldPath p, List<FieldError> errs) {
        if (Empty.isEmpty(name)) {
            errs.add(FieldError.required(p.value(), ""));
        } else {
            Formats.subdomainName(name, true).forEach(m -> errs.add(FieldError.invalid(p.value(), name, m)));
        }
    }
}
