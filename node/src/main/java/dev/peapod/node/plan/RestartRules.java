package dev.peapod.node.plan;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerRestartRule;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.List;

/**
 * Whether a container that exited is restarted, with per-container {@code restartPolicy} and
 * {@code restartPolicyRules} (KEP-5307 ContainerRestartRules, beta and on by default since 1.35),
 * after kubelet's {@code podutil.ContainerShouldRestart} and {@code IsContainerRestartable}
 * ({@code pkg/api/v1/pod/util.go}):
 * <ol>
 *   <li>a container that sets its own {@code restartPolicy} has its rules checked first, in order;
 *       the first rule whose exit codes match decides (action {@code Restart});</li>
 *   <li>then its own {@code restartPolicy} (Always, OnFailure, Never) overrides the pod's;</li>
 *   <li>else the pod's {@code restartPolicy} (default Always).</li>
 * </ol>
 * A native sidecar is an init container whose own policy is Always, so it always restarts. The
 * same rules apply to init containers (an init container that will not restart after a failure
 * fails the pod) and to regular containers. Used by the planner and by the status computation.
 */
public final class RestartRules {

    private RestartRules() {}

    /** kubelet {@code ContainerShouldRestart}. */
    public static boolean shouldRestart(Pod pod, Container c, int exitCode) {
        String own = c.getRestartPolicy();
        if (own != null) {
            for (ContainerRestartRule rule : rules(c)) {
                if (matches(rule, exitCode)) {
                    if ("Restart".equals(rule.getAction())) return true;
                    break; // an action Peapod does not know: fall back to the policy, as kubelet does
                }
            }
            switch (own) {
                case "Always": return true;
                case "OnFailure": return exitCode != 0;
                case "Never": return false;
                default: break; // unknown: the pod's policy decides
            }
        }
        return switch (podPolicy(pod)) {
            case "Never" -> false;
            case "OnFailure" -> exitCode != 0;
            default -> true;
        };
    }

    /** kubelet {@code IsContainerRestartable}: whether some exit of the container could restart it. */
    public static boolean restartable(Pod pod, Container c) {
        String own = c.getRestartPolicy();
        if (own != null) {
            if (rules(c).stream().anyMatch(r -> "Restart".equals(r.getAction()))) return true;
            return !"Never".equals(own);
        }
        return !"Never".equals(podPolicy(pod));
    }

    /** An exit-code requirement: In (the code is one of the values) or NotIn (it is none of them). */
    static boolean matches(ContainerRestartRule rule, int exitCode) {
        var codes = rule.getExitCodes();
        if (codes == null) return false;
        boolean in = codes.getValues() != null && codes.getValues().contains(exitCode);
        return switch (codes.getOperator() == null ? "" : codes.getOperator()) {
            case "In" -> in;
            case "NotIn" -> !in;
            default -> false;
        };
    }

    private static List<ContainerRestartRule> rules(Container c) {
        return c.getRestartPolicyRules() == null ? List.of() : c.getRestartPolicyRules();
    }

    static String podPolicy(Pod pod) {
        String p = pod.getSpec().getRestartPolicy();
        return p == null ? "Always" : p;
    }
}
