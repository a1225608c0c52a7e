package dev.peapod.api;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeDevice;
import io.fabric8.kubernetes.api.model.VolumeMount;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ValidateVolumeMounts} and {@code ValidateVolumeDevices}. Note Kubernetes reports subPath,
 * subPathExpr, mountPropagation and recursiveReadOnly errors at {@code volumeMounts.subPath} (no
 * index); those paths are kept so messages match kube-apiserver's. Image volumes accept subPath
 * since 1.33 (KEP-4639), so no image-specific check remains.
 */
final class MountValidator {
    private static final List<String> PROPAGATIONS = List.of("Bidirectional", "HostToContainer", "None");
    private static final List<String> RECURSIVE_READ_ONLY = List.of("Disabled", "Enabled", "IfPossible");

    private MountValidator() { }

    static void volumeMounts(Container c, Map<String, Volume> volumes, FieldPath path, List<FieldError> errs) {
        Map<String, String> devices = new HashMap<>();
        Empty.list(c.getVolumeDevices()).forEach(d -> devices.put(Empty.str(d.getName()), Empty.str(d.getDevicePath())));
        Set<String> mountPoints = new HashSet<>();
        List<VolumeMount> mounts = Empty.list(c.getVolumeMounts());
        for (int i = 0; i < mounts.size(); i++) {
            VolumeMount m = mounts.get(i);
            FieldPath idx = path.index(i);
            String name = Empty.str(m.getName());
            String mountPath = Empty.str(m.getMountPath());
            if (name.isEmpty()) {
                errs.add(FieldError.required(idx.child("name").value(), ""));
            }
            if (!volumes.containsKey(name)) {
                errs.add(FieldError.notFound(idx.child("name").value(), name));
            }
            if (mountPath.isEmpty()) {
                errs.add(FieldError.required(idx.child("mountPath").value(), ""));
            }
            if (!mountPoints.add(mountPath)) {
                errs.add(FieldError.invalid(idx.child("mountPath").value(), mountPath, "must be unique"));
            }
            if (devices.containsKey(name)) {
                errs.add(FieldError.invalid(idx.child("name").value(), name, "must not already exist in volumeDevices"));
            }
            if (devices.containsValue(mountPath)) {
                errs.add(FieldError.invalid(idx.child("mountPath").value(), mountPath, "must not already exist as a path in volumeDevices"));
            }
            subPaths(m, idx, path, errs);
            propagation(m, c, path, errs);
            recursiveReadOnly(m, path.child("recursiveReadOnly"), errs);
        }
    }

    private static void subPaths(VolumeMount m, FieldPath idx, FieldPath path, List<FieldError> errs) {
        String subPath = Empty.str(m.getSubPath());
        String expr = Empty.str(m.getSubPathExpr());
        if (!subPath.isEmpty()) {
            VolumeValidator.localDescendingPath(subPath, path.child("subPath"), errs);
        }
        if (!expr.isEmpty()) {
            if (!subPath.isEmpty()) {
                errs.add(FieldError.invalid(idx.child("subPathExpr").value(), expr, "subPathExpr and subPath are mutually exclusive"));
            }
            VolumeValidator.localDescendingPath(expr, path.child("subPathExpr"), errs);
        }
    }

    private static void propagation(VolumeMount m, Container c, FieldPath path, List<FieldError> errs) {
        String mode = m.getMountPropagation();
        if (mode == null) {
            return;
        }
        FieldPath p = path.child("mountPropagation");
        if (!PROPAGATIONS.contains(mode)) {
            errs.add(FieldError.notSupported(p.value(), mode, PROPAGATIONS));
        }
        boolean privileged = c.getSecurityContext() != null && Empty.bool(c.getSecurityContext().getPrivileged());
        if (mode.equals("Bidirectional") && !privileged) {
            errs.add(FieldError.forbidden(p.value(), "Bidirectional mount propagation is available only to privileged containers"));
        }
    }

    private static void recursiveReadOnly(VolumeMount m, FieldPath p, List<FieldError> errs) {
        String rro = m.getRecursiveReadOnly();
        if (rro == null || rro.equals("Disabled")) {
            return;
        }
        if (rro.equals("Enabled") || rro.equals("IfPossible")) {
            if (!Empty.bool(m.getReadOnly())) {
                errs.add(FieldError.forbidden(p.value(), "may only be specified when readOnly is true"));
            }
            if (m.getMountPropagation() != null && !m.getMountPropagation().equals("None")) {
                errs.add(FieldError.forbidden(p.value(), "may only be specified when mountPropagation is None or not specified"));
            }
        } else {
            errs.add(FieldError.notSupported(p.value(), rro, RECURSIVE_READ_ONLY));
        }
    }

    static void volumeDevices(Container c, Map<String, Volume> volumes, FieldPath path, List<FieldError> errs) {
        Map<String, String> mounts = new HashMap<>();
        Empty.list(c.getVolumeMounts()).forEach(m -> mounts.put(Empty.str(m.getName()), Empty.str(m.getMountPath())));
        Set<String> names = new HashSet<>();
        Set<String> devicePaths = new HashSet<>();
        List<VolumeDevice> devices = Empty.list(c.getVolumeDevices());
        for (int i = 0; i < devices.size(); i++) {
            FieldPath idx = path.index(i);
            String name = Empty.str(devices.get(i).getName());
            String devicePath = Empty.str(devices.get(i).getDevicePath());
            Volume v = volumes.get(name);
            if (name.isEmpty()) {
                errs.add(FieldError.required(idx.child("name").value(), ""));
            }
            if (names.contains(name)) {
                errs.add(FieldError.invalid(idx.child("name").value(), name, "must be unique"));
            }
            if (v != null && v.getPersistentVolumeClaim() == null && v.getEphemeral() == null) {
                errs.add(FieldError.invalid(idx.child("name").value(), name,
                        "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode"));
            }
            if (v == null) {
                errs.add(FieldError.notFound(idx.child("name").value(), name));
            }
            deviceChecks(name, devicePath, mounts, devicePaths, idx, errs);
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
    }

    private static void deviceChecks(String name, String devicePath, Map<String, String> mounts, Set<String> devicePaths,
                                     FieldPath idx, List<FieldError> errs) {
        FieldPath p = idx.child("devicePath");
        if (devicePath.isEmpty()) {
            errs.add(FieldError.required(p.value(), ""));
        }
        if (devicePaths.contains(devicePath)) {
            errs.add(FieldError.invalid(p.value(), devicePath, "must be unique"));
        }
        if (!devicePath.isEmpty() && List.of(devicePath.split("/", -1)).contains("..")) {
            errs.add(FieldError.invalid(p.value(), devicePath, "can not contain backsteps ('..')"));
        } else {
            devicePaths.add(devicePath);
        }
        if (mounts.containsKey(name)) {
            errs.add(FieldError.invalid(idx.child("name").value(), name, "must not already exist in volumeMounts"));
        }
        if (mounts.containsValue(devicePath)) {
            errs.add(FieldError.invalid(p.value(), devicePath, "must not already exist as a path in volumeMounts"));
        }
    }
}
