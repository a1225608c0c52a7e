package dev.peapod.api;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The defaulting kube-apiserver applies to a v1 Pod before validation and storage
 * ({@code pkg/apis/core/v1/defaults.go} plus the declarative {@code +default} markers that
 * {@code zz_generated.defaults.go} applies), and the request's namespace defaulting.
 *
 * <p>Not applied: pod-level resource defaulting (PodLevelResources), defaults of cloud volume types
 * (iSCSI, RBD, AzureDisk, ScaleIO), and defaults for ephemeral containers (which cannot be set on
 * create). Stateless; mutates only the pod it is given.
 */
public final class PodDefaults {
    public static final String DEFAULT_NAMESPACE = "default";
    /** {@code v1.SecretVolumeSourceDefaultMode} and friends: 0644. */
    static final int DEFAULT_FILE_MODE = 0644;

    private PodDefaults() { }

    /** Fills every unset field that kube-apiserver would default; fields already set are kept. */
    public static void apply(Pod pod) {
        if (pod.getMetadata() == null) {
            pod.setMetadata(new ObjectMeta());
        }
        if (isEmpty(pod.getMetadata().getNamespace())) {
            pod.getMetadata().setNamespace(DEFAULT_NAMESPACE);
        }
        if (pod.getSpec() == null) {
            pod.setSpec(new PodSpec());
        }
        PodSpec spec = pod.getSpec();
        podDefaults(spec);
        podSpecDefaults(spec);
        Empty.list(spec.getVolumes()).forEach(PodDefaults::volumeDefaults);
        Empty.list(spec.getInitContainers()).forEach(PodDefaults::containerDefaults);
        Empty.list(spec.getContainers()).forEach(PodDefaults::containerDefaults);
        spec.setOverhead(roundUp(spec.getOverhead()));
    }

    /** SetDefaults_Pod: requests from limits, enableServiceLinks, host ports under hostNetwork. */
    private static void podDefaults(PodSpec spec) {
        Empty.list(spec.getContainers()).forEach(c -> requestsFromLimits(c.getResources()));
        Empty.list(spec.getInitContainers()).forEach(c -> requestsFromLimits(c.getResources()));
        if (spec.getEnableServiceLinks() == null) {
            spec.setEnableServiceLinks(true);
        }
        if (Boolean.TRUE.equals(spec.getHostNetwork())) {
            Empty.list(spec.getContainers()).forEach(PodDefaults::hostPortsFromContainerPorts);
            Empty.list(spec.getInitContainers()).forEach(PodDefaults::hostPortsFromContainerPorts);
        }
    }

    /** SetDefaults_PodSpec. */
    private static void podSpecDefaults(PodSpec spec) {
        if (isEmpty(spec.getDnsPolicy())) {
            spec.setDnsPolicy("ClusterFirst");
        }
        if (isEmpty(spec.getRestartPolicy())) {
            spec.setRestartPolicy("Always");
        }
        if (spec.getSecurityContext() == null) {
            spec.setSecurityContext(new PodSecurityContext());
        }
        if (spec.getTerminationGracePeriodSeconds() == null) {
            spec.setTerminationGracePeriodSeconds(30L);
        }
        if (isEmpty(spec.getSchedulerName())) {
            spec.setSchedulerName("default-scheduler");
        }
    }

    /**
     * "If limits are specified, but requests are not, default requests to limits" — per resource:
     * a request that is set is kept, a missing one is copied from the limit.
     */
    private static void requestsFromLimits(ResourceRequirements r) {
        if (r == null || r.getLimits() == null || r.getLimits().isEmpty()) {
            return;
        }
        Map<String, Quantity> requests = r.getRequests() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(r.getRequests());
        r.getLimits().forEach((name, limit) -> requests.putIfAbsent(name, new Quantity(Quantities.text(limit))));
        r.setRequests(requests);
    }

    private static void hostPortsFromContainerPorts(Container c) {
        for (ContainerPort p : Empty.list(c.getPorts())) {
            if (p.getHostPort() == null || p.getHostPort() == 0) {
                p.setHostPort(p.getContainerPort());
            }
        }
    }

    /** SetDefaults_Container and the nested defaulters zz_generated applies to each container. */
    private static void containerDefaults(Container c) {
        if (isEmpty(c.getImagePullPolicy())) {
            c.setImagePullPolicy(ImagePullPolicies.defaultFor(c.getImage()));
        }
        if (isEmpty(c.getTerminationMessagePath())) {
            c.setTerminationMessagePath("/dev/termination-log");
        }
        if (isEmpty(c.getTerminationMessagePolicy())) {
            c.setTerminationMessagePolicy("File");
        }
        for (ContainerPort p : Empty.list(c.getPorts())) {
            if (isEmpty(p.getProtocol())) {
                p.setProtocol("TCP"); // ContainerPort.Protocol +default="TCP"
            }
        }
        for (EnvVar e : Empty.list(c.getEnv())) {
            if (e.getValueFrom() != null) {
                fieldRefDefaults(e.getValueFrom().getFieldRef());
                if (e.getValueFrom().getFileKeyRef() != null && e.getValueFrom().getFileKeyRef().getOptional() == null) {
                    e.getValueFrom().getFileKeyRef().setOptional(false); // FileKeySelector.Optional +default=false
                }
            }
        }
        if (c.getResources() != null) {
            c.getResources().setLimits(roundUp(c.getResources().getLimits()));
            c.getResources().setRequests(roundUp(c.getResources().getRequests()));
        }
        probeDefaults(c.getLivenessProbe());
        probeDefaults(c.getReadinessProbe());
        probeDefaults(c.getStartupProbe());
        lifecycleDefaults(c.getLifecycle());
    }

    /** SetDefaults_Probe: zero means unset. */
    private static void probeDefaults(Probe p) {
        if (p == null) {
            return;
        }
        if (isZero(p.getTimeoutSeconds())) {
            p.setTimeoutSeconds(1);
        }
        if (isZero(p.getPeriodSeconds())) {
            p.setPeriodSeconds(10);
        }
        if (isZero(p.getSuccessThreshold())) {
            p.setSuccessThreshold(1);
        }
        if (isZero(p.getFailureThreshold())) {
            p.setFailureThreshold(3);
        }
        httpGetDefaults(p.getHttpGet());
        if (p.getGrpc() != null && p.getGrpc().getService() == null) {
            p.getGrpc().setService(""); // GRPCAction.Service +default=""
        }
    }

    private static void lifecycleDefaults(Lifecycle l) {
        if (l == null) {
            return;
        }
        for (LifecycleHandler h : new LifecycleHandler[]{l.getPostStart(), l.getPreStop()}) {
            if (h != null) {
                httpGetDefaults(h.getHttpGet());
            }
        }
    }

    /** SetDefaults_HTTPGetAction: path "/" and scheme HTTP. */
    private static void httpGetDefaults(HTTPGetAction h) {
        if (h == null) {
            return;
        }
        if (isEmpty(h.getPath())) {
            h.setPath("/");
        }
        if (isEmpty(h.getScheme())) {
            h.setScheme("HTTP");
        }
    }

    /** SetDefaults_ObjectFieldSelector. */
    private static void fieldRefDefaults(ObjectFieldSelector f) {
        if (f != null && isEmpty(f.getApiVersion())) {
            f.setApiVersion("v1");
        }
    }

    /** SetDefaults_Volume and the per-source defaulters. */
    private static void volumeDefaults(Volume v) {
        if (VolumeSources.present(v).isEmpty()) {
            v.setEmptyDir(new EmptyDirVolumeSource());
        }
        if (v.getHostPath() != null && v.getHostPath().getType() == null) {
            v.getHostPath().setType(""); // HostPathUnset
        }
        if (v.getSecret() != null && v.getSecret().getDefaultMode() == null) {
            v.getSecret().setDefaultMode(DEFAULT_FILE_MODE);
        }
        if (v.getConfigMap() != null && v.getConfigMap().getDefaultMode() == null) {
            v.getConfigMap().setDefaultMode(DEFAULT_FILE_MODE);
        }
        if (v.getDownwardAPI() != null) {
            if (v.getDownwardAPI().getDefaultMode() == null) {
                v.getDownwardAPI().setDefaultMode(DEFAULT_FILE_MODE);
            }
            Empty.list(v.getDownwardAPI().getItems()).forEach(f -> fieldRefDefaults(f.getFieldRef()));
        }
        if (v.getProjected() != null) {
            if (v.getProjected().getDefaultMode() == null) {
                v.getProjected().setDefaultMode(DEFAULT_FILE_MODE);
            }
            Empty.list(v.getProjected().getSources()).forEach(PodDefaults::projectionDefaults);
        }
        if (v.getImage() != null && isEmpty(v.getImage().getPullPolicy())) {
            v.getImage().setPullPolicy(ImagePullPolicies.defaultFor(v.getImage().getReference()));
        }
        if (v.getEphemeral() != null && v.getEphemeral().getVolumeClaimTemplate() != null
                && v.getEphemeral().getVolumeClaimTemplate().getSpec() != null
                && v.getEphemeral().getVolumeClaimTemplate().getSpec().getVolumeMode() == null) {
            v.getEphemeral().getVolumeClaimTemplate().getSpec().setVolumeMode("Filesystem");
        }
    }

    private static void projectionDefaults(VolumeProjection p) {
        if (p.getDownwardAPI() != null) {
            for (DownwardAPIVolumeFile f : Empty.list(p.getDownwardAPI().getItems())) {
                fieldRefDefaults(f.getFieldRef());
            }
        }
        if (p.getServiceAccountToken() != null && p.getServiceAccountToken().getExpirationSeconds() == null) {
            p.getServiceAccountToken().setExpirationSeconds(3600L); // one hour
        }
    }

    /**
     * SetDefaults_ResourceList: values finer than a milli-unit are rounded up, and — as kube-apiserver's
     * storage round trip does — every quantity is rewritten in canonical form ({@code 0.5} → {@code 500m}).
     * Quantities that do not parse are left alone for validation to report.
     */
    private static Map<String, Quantity> roundUp(Map<String, Quantity> list) {
        if (list == null || list.isEmpty()) {
            return list;
        }
        Map<String, Quantity> out = new LinkedHashMap<>();
        list.forEach((name, q) -> out.put(name, q != null && Quantities.isValid(Quantities.text(q))
                ? Quantities.roundUpToMilli(q) : q));
        return out;
    }

    private static boolean isEmpty(String s) {
        return Empty.isEmpty(s);
    }

    private static boolean isZero(Integer i) {
        return i == null || i == 0;
    }
}
