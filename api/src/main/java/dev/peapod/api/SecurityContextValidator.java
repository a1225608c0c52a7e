package dev.peapod.api;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.Sysctl;

import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * kube-apiserver's checks of the pod's and containers' seccomp profiles and of the pod's sysctls
 * (pkg/apis/core/validation: {@code validateSeccompProfileField}, {@code validateLocalDescendingPath},
 * {@code validateSysctls}), so that a bad profile path or sysctl name is refused before anything
 * runs. The node checks the profile path again when it reads the file.
 */
final class SecurityContextValidator {
    private SecurityContextValidator() {}

    static final List<String> SECCOMP_TYPES = List.of("Localhost", "RuntimeDefault", "Unconfined");
    static final int SYSCTL_MAX_LENGTH = 253;
    private static final String SEGMENT = "[a-z0-9]([-_a-z0-9]*[a-z0-9])?";
    static final String SYSCTL_PATTERN = "^(" + SEGMENT + "[\\./])*" + SEGMENT + "$";
    private static final Pattern SYSCTL = Pattern.compile(SYSCTL_PATTERN);

    static void validate(PodSpec spec, FieldPath specPath, List<FieldError> errs) {
        var psc = spec.getSecurityContext();
        if (psc != null) {
            seccomp(psc.getSeccompProfile(), specPath.child("securityContext", "seccompProfile"), errs);
            sysctls(Empty.list(psc.getSysctls()), spec, specPath.child("securityContext", "sysctls"), errs);
        }
        containers(Empty.list(spec.getInitContainers()), specPath.child("initContainers"), errs);
        containers(Empty.list(spec.getContainers()), specPath.child("containers"), errs);
    }

    private static void containers(List<Container> cs, FieldPath path, List<FieldError> errs) {
        for (int i = 0; i < cs.size(); i++) {
            var sc = cs.get(i).getSecurityContext();
            if (sc != null) seccomp(sc.getSeccompProfile(), path.index(i).child("securityContext", "seccompProfile"), errs);
        }
    }

    private static void seccomp(SeccompProfile sp, FieldPath path, List<FieldError> errs) {
        if (sp == null) return;
        String type = Empty.str(sp.getType());
        if (type.isEmpty()) {
            errs.add(FieldError.required(path.child("type").value(), "type is required when seccompProfile is set"));
        } else if (!SECCOMP_TYPES.contains(type)) {
            errs.add(FieldError.notSupported(path.child("type").value(), type, SECCOMP_TYPES));
        }
        FieldPath local = path.child("localhostProfile");
        if ("Localhost".equals(type)) {
            if (sp.getLocalhostProfile() == null) {
                errs.add(FieldError.required(local.value(), "must be set when seccomp type is Localhost"));
            } else {
                localDescendingPath(sp.getLocalhostProfile(), local, errs);
            }
        } else if (sp.getLocalhostProfile() != null) {
            // kube-apiserver prints the whole profile struct as the value; the path is what matters.
            errs.add(FieldError.invalid(local.value(), sp.getLocalhostProfile(), "can only be set when seccomp type is Localhost"));
        }
    }

    /** {@code validateLocalDescendingPath}: relative, without a {@code ..} element. */
    private static void localDescendingPath(String p, FieldPath path, List<FieldError> errs) {
        if (p.startsWith("/")) errs.add(FieldError.invalid(path.value(), p, "must be a relative path"));
        for (String part : p.split("/")) {
            if (part.equals("..")) {
                errs.add(FieldError.invalid(path.value(), p, "must not contain '..'"));
                break;
            }
        }
    }

    private static void sysctls(List<Sysctl> sysctls, PodSpec spec, FieldPath path, List<FieldError> errs) {
        var names = new HashSet<String>();
        boolean hostNet = Empty.bool(spec.getHostNetwork()), hostIpc = Empty.bool(spec.getHostIPC());
        for (int i = 0; i < sysctls.size(); i++) {
            String name = Empty.str(sysctls.get(i).getName());
            FieldPath p = path.index(i).child("name");
            if (name.isEmpty()) {
                errs.add(FieldError.required(p.value(), ""));
            } else if (name.length() > SYSCTL_MAX_LENGTH || !SYSCTL.matcher(name).matches()) {
                errs.add(FieldError.invalid(p.value(), name, "must have at most " + SYSCTL_MAX_LENGTH
                        + " characters and match regex " + SYSCTL_PATTERN));
            } else if (!names.add(name)) {
                errs.add(FieldError.duplicate(p.value(), name));
            }
            String dotted = name.replace('/', '.');
            if (hostNet && dotted.startsWith("net.")) {
                errs.add(FieldError.invalid(p.value(), name, "may not be specified when 'hostNetwork' is true"));
            }
            if (hostIpc && (dotted.equals("kernel.sem") || dotted.startsWith("kernel.shm") || dotted.startsWith("kernel.msg")
                    || dotted.startsWith("fs.mqueue."))) {
                errs.add(FieldError.invalid(p.value(), name, "may not be specified when 'hostIPC' is true"));
            }
        }
    }
}
