package dev.peapod.api;

import io.fabric8.kubernetes.api.model.ExecAction;
import io.fabric8.kubernetes.api.model.GRPCAction;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SleepAction;
import io.fabric8.kubernetes.api.model.TCPSocketAction;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Probes and lifecycle hooks: {@code validateProbe}, {@code validateHandler}, {@code validateLifecycle}. */
final class HandlerValidator {
    private HandlerValidator() { }

    enum ProbeKind { LIVENESS, READINESS, STARTUP }

    static void probe(Probe probe, ProbeKind kind, Long gracePeriod, FieldPath p, List<FieldError> errs) {
        if (probe == null) {
            return;
        }
        Map<String, Object> handlers = new LinkedHashMap<>();
        handlers.put("exec", probe.getExec());
        handlers.put("httpGet", probe.getHttpGet());
        handlers.put("tcpSocket", probe.getTcpSocket());
        handlers.put("grpc", probe.getGrpc());
        handler(handlers, gracePeriod, p, errs);
        nonNegative(probe.getInitialDelaySeconds(), p.child("initialDelaySeconds"), errs);
        nonNegative(probe.getTimeoutSeconds(), p.child("timeoutSeconds"), errs);
        nonNegative(probe.getPeriodSeconds(), p.child("periodSeconds"), errs);
        nonNegative(probe.getSuccessThreshold(), p.child("successThreshold"), errs);
        nonNegative(probe.getFailureThreshold(), p.child("failureThreshold"), errs);
        Long probeGrace = probe.getTerminationGracePeriodSeconds();
        if (probeGrace != null && probeGrace <= 0) {
            errs.add(FieldError.invalid(p.child("terminationGracePeriodSeconds").value(), probeGrace, "must be greater than 0"));
        }
        switch (kind) {
            // A liveness or startup probe succeeds once: more successes would only delay the kill / the start.
            case LIVENESS, STARTUP -> {
                if (Empty.num(probe.getSuccessThreshold()) != 1) {
                    errs.add(FieldError.invalid(p.child("successThreshold").value(), Empty.num(probe.getSuccessThreshold()), "must be 1"));
                }
            }
            case READINESS -> {
                if (probeGrace != null) {
                    errs.add(FieldError.invalid(p.child("terminationGracePeriodSeconds").value(), probeGrace,
                            "must not be set for readinessProbes"));
                }
            }
        }
    }

    static void lifecycle(Lifecycle lifecycle, Long gracePeriod, FieldPath p, List<FieldError> errs) {
        hook(lifecycle.getPostStart(), gracePeriod, p.child("postStart"), errs);
        hook(lifecycle.getPreStop(), gracePeriod, p.child("preStop"), errs);
    }

    private static void hook(LifecycleHandler h, Long gracePeriod, FieldPath p, List<FieldError> errs) {
        if (h == null) {
            return;
        }
        Map<String, Object> handlers = new LinkedHashMap<>();
        handlers.put("exec", h.getExec());
        handlers.put("httpGet", h.getHttpGet());
        handlers.put("tcpSocket", h.getTcpSocket());
        handlers.put("sleep", h.getSleep());
        handler(handlers, gracePeriod, p, errs);
    }

    /** Exactly one handler; the first one set is validated, every further one is Forbidden. */
    private static void handler(Map<String, Object> handlers, Long gracePeriod, FieldPath p, List<FieldError> errs) {
        int count = 0;
        for (Map.Entry<String, Object> e : handlers.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            FieldPath hp = p.child(e.getKey());
            if (count++ > 0) {
                errs.add(FieldError.forbidden(hp.value(), "may not specify more than 1 handler type"));
                continue;
            }
            switch (e.getValue()) {
                case ExecAction exec -> {
                    if (Empty.list(exec.getCommand()).isEmpty()) {
                        errs.add(FieldError.required(hp.child("command").value(), ""));
                    }
                }
                case HTTPGetAction http -> httpGet(http, hp, errs);
                case TCPSocketAction tcp -> portNumOrName(tcp.getPort(), hp.child("port"), errs);
                case GRPCAction grpc -> portNumber(Empty.num(grpc.getPort()), hp.child("port"), errs);
                case SleepAction sleep -> sleep(sleep, gracePeriod, hp, errs);
                default -> throw new IllegalStateException("unexpected handler " + e.getValue().getClass());
            }
        }
        if (count == 0) {
            errs.add(FieldError.required(p.value(), "must specify a handler type"));
        }
    }

    private static void httpGet(HTTPGetAction http, FieldPath p, List<FieldError> errs) {
        if (Empty.isEmpty(http.getPath())) {
            errs.add(FieldError.required(p.child("path").value(), ""));
        }
        portNumOrName(http.getPort(), p.child("port"), errs);
        String scheme = Empty.str(http.getScheme());
        if (!scheme.equals("HTTP") && !scheme.equals("HTTPS")) {
            errs.add(FieldError.notSupported(p.child("scheme").value(), scheme, List.of("HTTP", "HTTPS")));
        }
        for (HTTPHeader h : Empty.list(http.getHttpHeaders())) {
            String name = Empty.str(h.getName());
            Formats.httpHeaderName(name).forEach(m -> errs.add(FieldError.invalid(p.child("httpHeaders").value(), name, m)));
        }
    }

    /**
     * {@code validateSleepAction} with PodLifecycleSleepActionAllowZeroValue (GA in 1.34): zero
     * seconds is allowed, more than the pod's grace period is not.
     */
    private static void sleep(SleepAction sleep, Long gracePeriod, FieldPath p, List<FieldError> errs) {
        long seconds = Empty.num(sleep.getSeconds());
        if (gracePeriod != null && (seconds < 0 || seconds > gracePeriod)) {
            errs.add(FieldError.invalid(p.value(), seconds,
                    "must be non-negative and less than terminationGracePeriodSeconds (" + gracePeriod + ")"));
        }
    }

    /** {@code ValidatePortNumOrName}; an unset port is Go's zero IntOrString, the integer 0. */
    static void portNumOrName(IntOrString port, FieldPath p, List<FieldError> errs) {
        if (port != null && port.getStrVal() != null) {
            String name = port.getStrVal();
            Formats.portName(name).forEach(m -> errs.add(FieldError.invalid(p.value(), name, m)));
        } else {
            portNumber(port == null ? 0 : Empty.num(port.getIntVal()), p, errs);
        }
    }

    static void portNumber(long port, FieldPath p, List<FieldError> errs) {
        Formats.portNumber(port).forEach(m -> errs.add(FieldError.invalid(p.value(), port, m)));
    }

    private static void nonNegative(Integer value, FieldPath p, List<FieldError> errs) {
        if (value != null && value < 0) {
            errs.add(FieldError.invalid(p.value(), value.longValue(), Formats.NEGATIVE));
        }
    }
}
