package dev.peapod.api;

import io.fabric8.kubernetes.api.model.Volume;

import java.util.ArrayList;
import java.util.List;

/**
 * The volume source fields of a {@link Volume}, in the order {@code validateVolumeSource} checks them
 * (that order decides which source gets "may not specify more than 1 volume type"). The names are the
 * ones Kubernetes uses in its field paths, including its historical spellings.
 */
final class VolumeSources {
    /** One set source: its path segment and its value. */
    record Source(String name, Object value) { }

    private VolumeSources() { }

    static List<Source> present(Volume v) {
        List<Source> all = new ArrayList<>();
        add(all, "emptyDir", v.getEmptyDir());
        add(all, "hostPath", v.getHostPath());
        add(all, "gitRepo", v.getGitRepo());
        add(all, "gcePersistentDisk", v.getGcePersistentDisk());
        add(all, "awsElasticBlockStore", v.getAwsElasticBlockStore());
        add(all, "secret", v.getSecret());
        add(all, "nfs", v.getNfs());
        add(all, "iscsi", v.getIscsi());
        add(all, "glusterfs", v.getGlusterfs());
        add(all, "flocker", v.getFlocker());
        add(all, "persistentVolumeClaim", v.getPersistentVolumeClaim());
        add(all, "rbd", v.getRbd());
        add(all, "cinder", v.getCinder());
        add(all, "cephFS", v.getCephfs());
        add(all, "quobyte", v.getQuobyte());
        add(all, "downwardAPI", v.getDownwardAPI());
        add(all, "fc", v.getFc());
        add(all, "flexVolume", v.getFlexVolume());
        add(all, "configMap", v.getConfigMap());
        add(all, "azureFile", v.getAzureFile());
        add(all, "vsphereVolume", v.getVsphereVolume());
        add(all, "photonPersistentDisk", v.getPhotonPersistentDisk());
        add(all, "portworxVolume", v.getPortworxVolume());
        add(all, "azureDisk", v.getAzureDisk());
        add(all, "storageos", v.getStorageos());
        add(all, "projected", v.getProjected());
        add(all, "scaleIO", v.getScaleIO());
        add(all, "csi", v.getCsi());
        add(all, "ephemeral", v.getEphemeral());
        add(all, "image", v.getImage());
        return all;
    }

    private static void add(List<Source> all, String name, Object value) {
        if (value != null) {
            all.add(new Source(name, value));
        }
    }
}
