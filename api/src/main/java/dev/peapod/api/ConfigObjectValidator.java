package dev.peapod.api;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * kube-apiserver's {@code ValidateConfigMap} and {@code ValidateSecret}. The keys matter beyond
 * tidiness: a volume without {@code items} turns every key into a file name, so a key like
 * {@code ../x} would write outside the volume; {@code IsConfigMapKey} refuses it here, with the field
 * path ({@code data[../x]}), before anything runs. Objects must be defaulted (namespace set) first.
 */
public final class ConfigObjectValidator {
    /** {@code MaxSecretSize} and the ConfigMap limit ({@code RuntimeObjectSize}): 1 MiB of data. */
    static final int MAX_SIZE = 1024 * 1024;

    private ConfigObjectValidator() { }

    public static List<FieldError> validate(ConfigMap c) {
        List<FieldError> errs = new ArrayList<>();
        MetaValidator.objectMeta(c.getMetadata(), FieldPath.METADATA, errs);
        long size = 0;
        for (var e : Empty.map(c.getData()).entrySet()) {
            keyErrors(e.getKey(), new FieldPath("data"), errs);
            size += e.getValue() == null ? 0 : e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        for (var e : Empty.map(c.getBinaryData()).entrySet()) {
            FieldPath p = new FieldPath("binaryData");
            keyErrors(e.getKey(), p, errs);
            if (Empty.map(c.getData()).containsKey(e.getKey())) {
                errs.add(FieldError.invalid(p.key(e.getKey()).value(), e.getKey(), "duplicate of key present in data"));
            }
            size += decodedSize(e.getValue(), p.key(e.getKey()), errs);
        }
        if (size > MAX_SIZE) errs.add(FieldError.tooLong("", MAX_SIZE));
        return errs;
    }

    public static List<FieldError> validate(Secret s) {
        List<FieldError> errs = new ArrayList<>();
        MetaValidator.objectMeta(s.getMetadata(), FieldPath.METADATA, errs);
        long size = 0;
        for (var e : Empty.map(s.getData()).entrySet()) {
            keyErrors(e.getKey(), new FieldPath("data"), errs);
            size += decodedSize(e.getValue(), new FieldPath("data").key(e.getKey()), errs);
        }
        // kube-apiserver merges stringData into data before validating; a file read by peapod up
        // has not been through it, so its keys are checked where they are written.
        for (var e : Empty.map(s.getStringData()).entrySet()) {
            keyErrors(e.getKey(), new FieldPath("stringData"), errs);
            size += e.getValue() == null ? 0 : e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (size > MAX_SIZE) errs.add(FieldError.tooLong("data", MAX_SIZE));
        return errs;
    }

    private static void keyErrors(String key, FieldPath map, List<FieldError> errs) {
        for (String msg : Formats.configMapKey(key)) errs.add(FieldError.invalid(map.key(key).value(), key, msg));
    }

    /** Values of {@code []byte} fields are base64 in a manifest; malformed ones are refused here. */
    private static long decodedSize(String base64, FieldPath p, List<FieldError> errs) {
        try {
            return base64 == null ? 0 : Base64.getDecoder().decode(base64).length;
        } catch (IllegalArgumentException e) {
            errs.add(FieldError.invalid(p.value(), "<base64>", "illegal base64 data: " + e.getMessage()));
            return 0;
        }
    }
}
