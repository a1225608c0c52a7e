package dev.peapod.api;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerResizePolicy;
import io.fabric8.kubernetes.api.model.ContainerRestartRule;
import io.fabric8.kubernetes.api.model.Volume;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.peapod.api.HandlerValidator.ProbeKind.LIVENESS;
import static dev.peapod.api.HandlerValidator.ProbeKind.READINESS;
import static dev.peapod.api.HandlerValidator.ProbeKind.STARTUP;

/**
 * {@code validateContainers}, {@code validateInitContainers} and {@code validateContainerCommon}.
 * Environment and volume mounts live in {@link ContainerEnvValidator} and {@link MountValidator}.
 */
final class ContainerValidator {
    private static final List<String> PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");
    private static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
    private static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
    static final String NOT_FOR_INIT = "may not be set for init containers without restartPolicy=Always";

    /** What every container check needs to know about the pod around it. */
    record PodContext(Map<String, Volume> volumes, Set<String> podClaims, Long gracePeriod, String restartPolicy) { }

    private ContainerValidator() { }

    static void containers(List<Container> containers, PodContext pod, FieldPath path, List<FieldError> errs) {
        if (containers.isEmpty()) {
            errs.add(FieldError.required(path.value(), ""));
            return;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < containers.size(); i++) {
            Container c = containers.get(i);
            FieldPath p = path.index(i);
            common(c, pod, p, errs);
            if (!names.add(Empty.str(c.getName()))) {
                errs.add(FieldError.duplicate(p.child("name").value(), Empty.str(c.getName())));
            }
            handlersAndProbes(c, pod.gracePeriod(), p, errs);
            restartPolicy(c, p, errs);
        }
        hostPortConflicts(containers, path, errs);
    }

    /**
     * Init containers run one by one, so host ports only conflict within one init container. An init
     * container with {@code restartPolicy: Always} is a sidecar (KEP-753, GA 1.33) and may have
     * probes and hooks; any other init container may not.
     */
    static void initContainers(List<Container> init, List<Container> regular, PodContext pod, FieldPath path,
                               List<FieldError> errs) {
        Set<String> names = new HashSet<>();
        regular.forEach(c -> names.add(Empty.str(c.getName())));
        for (int i = 0; i < init.size(); i++) {
            Container c = init.get(i);
            FieldPath p = path.index(i);
            common(c, pod, p, errs);
            restartPolicy(c, p, errs);
            String name = Empty.str(c.getName());
            if (names.contains(name)) {
                errs.add(FieldError.duplicate(p.child("name").value(), name));
            } else if (!name.isEmpty()) {
                names.add(name);
            }
            hostPortConflicts(List.of(c), path, errs);
            if ("Always".equals(c.getRestartPolicy())) {
                handlersAndProbes(c, pod.gracePeriod(), p, errs);
            } else {
                if (c.getLifecycle() != null) {
                    errs.add(FieldError.forbidden(p.child("lifecycle").value(), NOT_FOR_INIT));
                }
                if (c.getLivenessProbe() != null) {
                    errs.add(FieldError.forbidden(p.child("livenessProbe").value(), NOT_FOR_INIT));
                }
                if (c.getReadinessProbe() != null) {
                    errs.add(FieldError.forbidden(p.child("readinessProbe").value(), NOT_FOR_INIT));
                }
                if (c.getStartupProbe() != null) {
                    errs.add(FieldError.forbidden(p.child("startupProbe").value(), NOT_FOR_INIT));
                }
            }
        }
    }

    private static void handlersAndProbes(Container c, Long gracePeriod, FieldPath p, List<FieldError> errs) {
        if (c.getLifecycle() != null) {
            HandlerValidator.lifecycle(c.getLifecycle(), gracePeriod, p.child("lifecycle"), errs);
        }
        HandlerValidator.probe(c.getLivenessProbe(), LIVENESS, gracePeriod, p.child("livenessProbe"), errs);
        HandlerValidator.probe(c.getReadinessProbe(), READINESS, gracePeriod, p.child("readinessProbe"), errs);
        HandlerValidator.probe(c.getStartupProbe(), STARTUP, gracePeriod, p.child("startupProbe"), errs);
    }

    /** {@code validateContainerCommon}, in Kubernetes' order. */
    private static void common(Container c, PodContext pod, FieldPath p, List<FieldError> errs) {
        String name = Empty.str(c.getName());
        if (name.isEmpty()) {
            errs.add(FieldError.required(p.child("name").value(), ""));
        } else {
            Formats.dns1123Label(name).forEach(m -> errs.add(FieldError.invalid(p.child("name").value(), name, m)));
        }
        if (Empty.isEmpty(c.getImage())) {
            errs.add(FieldError.required(p.child("image").value(), ""));
        }
        String tmp = Empty.str(c.getTerminationMessagePolicy());
        if (tmp.isEmpty()) {
            errs.add(FieldError.required(p.child("terminationMessagePolicy").value(), ""));
        } else if (!tmp.equals("File") && !tmp.equals("FallbackToLogsOnError")) {
            errs.add(FieldError.notSupported(p.child("terminationMessagePolicy").value(), tmp,
                    List.of("File", "FallbackToLogsOnError")));
        }
        ports(Empty.list(c.getPorts()), p.child("ports"), errs);
        ContainerEnvValidator.env(Empty.list(c.getEnv()), p.child("env"), errs);
        ContainerEnvValidator.envFrom(Empty.list(c.getEnvFrom()), p.child("envFrom"), errs);
        MountValidator.volumeMounts(c, pod.volumes(), p.child("volumeMounts"), errs);
        MountValidator.volumeDevices(c, pod.volumes(), p.child("volumeDevices"), errs);
        pullPolicy(c.getImagePullPolicy(), p.child("imagePullPolicy"), errs);
        ResourceValidator.requirements(c.getResources(), pod.podClaims(), p.child("resources"), errs);
        resizePolicy(Empty.list(c.getResizePolicy()), pod.restartPolicy(), p.child("resizePolicy"), errs);
    }

    /** {@code validateContainersOnlyForPod}: checks Kubernetes applies to pods but not to pod templates. */
    static void onlyForPod(List<Container> containers, FieldPath path, List<FieldError> errs) {
        for (int i = 0; i < containers.size(); i++) {
            String image = containers.get(i).getImage();
            if (image != null && !image.equals(image.strip())) {
                errs.add(FieldError.invalid(path.index(i).child("image").value(), image, "must not have leading or trailing whitespace"));
            }
        }
    }

    static void pullPolicy(String policy, FieldPath p, List<FieldError> errs) {
        String v = Empty.str(policy);
        if (v.isEmpty()) {
            errs.add(FieldError.required(p.value(), ""));
        } else if (!PULL_POLICIES.contains(v)) {
            errs.add(FieldError.notSupported(p.value(), v, PULL_POLICIES));
        }
    }

    /** {@code validateContainerPorts}. */
    private static void ports(List<ContainerPort> ports, FieldPath path, List<FieldError> errs) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ContainerPort port = ports.get(i);
            FieldPath p = path.index(i);
            String name = Empty.str(port.getName());
            if (!name.isEmpty()) {
                List<String> msgs = Formats.portName(name);
                if (!msgs.isEmpty()) {
                    msgs.forEach(m -> errs.add(FieldError.invalid(p.child("name").value(), name, m)));
                } else if (!names.add(name)) {
                    errs.add(FieldError.duplicate(p.child("name").value(), name));
                }
            }
            long containerPort = Empty.num(port.getContainerPort());
            if (containerPort == 0) {
                errs.add(FieldError.required(p.child("containerPort").value(), ""));
            } else {
                HandlerValidator.portNumber(containerPort, p.child("containerPort"), errs);
            }
            long hostPort = Empty.num(port.getHostPort());
            if (hostPort != 0) {
                HandlerValidator.portNumber(hostPort, p.child("hostPort"), errs);
            }
            String protocol = Empty.str(port.getProtocol());
            if (protocol.isEmpty()) {
                errs.add(FieldError.required(p.child("protocol").value(), ""));
            } else if (!PROTOCOLS.contains(protocol)) {
                errs.add(FieldError.notSupported(p.child("protocol").value(), protocol, PROTOCOLS));
            }
        }
    }

    /** {@code AccumulateUniqueHostPorts}: one host port per protocol and host IP. */
    private static void hostPortConflicts(List<Container> containers, FieldPath path, List<FieldError> errs) {
        Set<String> seen = new HashSet<>();
        for (int ci = 0; ci < containers.size(); ci++) {
            List<ContainerPort> ports = Empty.list(containers.get(ci).getPorts());
            for (int pi = 0; pi < ports.size(); pi++) {
                ContainerPort port = ports.get(pi);
                long hostPort = Empty.num(port.getHostPort());
                if (hostPort == 0) {
                    continue;
                }
                String key = Empty.str(port.getProtocol()) + "/" + Empty.str(port.getHostIP()) + "/" + hostPort;
                if (!seen.add(key)) {
                    errs.add(FieldError.duplicate(path.index(ci).child("ports").index(pi).child("hostPort").value(), key));
                }
            }
        }
    }

    /**
     * Container-level {@code restartPolicy} and {@code restartPolicyRules} (KEP-5307 ContainerRestartRules,
     * beta and on by default in 1.35): any container may set Always, OnFailure or Never, and rules
     * (at most 20, action Restart, exit codes In/NotIn with at most 255 values) need a restartPolicy.
     * Before 1.34 only init containers could say Always (sidecars); Peapod follows the 1.35 API.
     */
    private static void restartPolicy(Container c, FieldPath p, List<FieldError> errs) {
        List<ContainerRestartRule> rules = Empty.list(c.getRestartPolicyRules());
        if (c.getRestartPolicy() == null) {
            if (!rules.isEmpty()) {
                errs.add(FieldError.required(p.child("restartPolicy").value(), "must be specified when restartPolicyRules are used"));
            }
            return;
        }
        if (!RESTART_POLICIES.contains(c.getRestartPolicy())) {
            errs.add(FieldError.notSupported(p.child("restartPolicy").value(), c.getRestartPolicy(), RESTART_POLICIES));
        }
        FieldPath rulesPath = p.child("restartPolicyRules");
        if (rules.size() > 20) {
            errs.add(FieldError.tooMany(rulesPath.value(), rules.size(), 20));
        }
        for (int i = 0; i < rules.size(); i++) {
            ContainerRestartRule rule = rules.get(i);
            FieldPath rp = rulesPath.index(i);
            if (!"Restart".equals(rule.getAction())) {
                errs.add(FieldError.notSupported(rp.child("action").value(), Empty.str(rule.getAction()), List.of("Restart")));
            }
            if (rule.getExitCodes() == null) {
                errs.add(FieldError.required(rp.child("exitCodes").value(), "must be specified"));
                continue;
            }
            String op = Empty.str(rule.getExitCodes().getOperator());
            if (!op.equals("In") && !op.equals("NotIn")) {
                errs.add(FieldError.notSupported(rp.child("exitCodes", "operator").value(), op, List.of("In", "NotIn")));
            }
            int values = Empty.list(rule.getExitCodes().getValues()).size();
            if (values > 255) {
                errs.add(FieldError.tooMany(rp.child("exitCodes", "values").value(), values, 255));
            }
        }
    }

    /** {@code validateResizePolicy}. */
    private static void resizePolicy(List<ContainerResizePolicy> policies, String podRestartPolicy, FieldPath p,
                                     List<FieldError> errs) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < policies.size(); i++) {
            String resource = Empty.str(policies.get(i).getResourceName());
            String policy = Empty.str(policies.get(i).getRestartPolicy());
            if (!seen.add(resource)) {
                errs.add(FieldError.duplicate(p.index(i).value(), resource));
            }
            if (resource.isEmpty()) {
                errs.add(FieldError.required(p.value(), ""));
            } else if (!resource.equals("cpu") && !resource.equals("memory")) {
                errs.add(FieldError.notSupported(p.value(), resource, List.of("cpu", "memory")));
            }
            if (policy.isEmpty()) {
                errs.add(FieldError.required(p.value(), ""));
            } else if (!policy.equals("NotRequired") && !policy.equals("RestartContainer")) {
                errs.add(FieldError.notSupported(p.value(), policy, List.of("NotRequired", "RestartContainer")));
            }
            if ("Never".equals(podRestartPolicy) && !policy.equals("NotRequired")) {
                errs.add(FieldError.invalid(p.value(), policy, "must be 'NotRequired' when `restartPolicy` is 'Never'"));
            }
        }
    }
}
