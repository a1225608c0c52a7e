package dev.peapod.node.plan;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerRestartRule;
import io.fabric8.kubernetes.api.model.ContainerRestartRuleOnExitCodes;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RestartRules} from a table after kubelet's {@code TestContainerShouldRestart}
 * ({@code pkg/api/v1/pod/util_test.go}). Rules read {@code In:42;NotIn:0,1} ("-" for none); the
 * container policy "-" means unset.
 */
class RestartRulesTest {

    @ParameterizedTest(name = "pod {0}, container {1}, rules {2}, exit {3}: restart={4}")
    @CsvSource({
            // no container policy: the pod's decides
            "Always,    -,         -,                 0,  true",
            "Always,    -,         -,                 1,  true",
            "OnFailure, -,         -,                 0,  false",
            "OnFailure, -,         -,                 1,  true",
            "Never,     -,         -,                 1,  false",
            // the container's own policy overrides the pod's
            "Always,    Never,     -,                 1,  false",
            "Never,     Always,    -,                 0,  true",
            "Never,     OnFailure, -,                 0,  false",
            "Never,     OnFailure, -,                 3,  true",
            "Always,    OnFailure, -,                 0,  false",
            // rules first, then the container's policy
            "Never,     Never,     In:42,             42, true",
            "Never,     Never,     In:42,             1,  false",
            "Never,     Never,     In:42,             0,  false",
            "Always,    Never,     In:42,             0,  false",
            "Never,     Never,     NotIn:0,           3,  true",
            "Never,     Never,     NotIn:0,           0,  false",
            "Never,     OnFailure, In:42,             7,  true",
            "Never,     Never,     'In:1,2;In:42',    42, true",
            "Never,     Never,     'NotIn:0,1,2,42',  42, false",
            "Never,     Never,     In:,               0,  false",
            // a rule with an operator Peapod does not know matches nothing
            "Never,     Never,     Is:42,             42, false",
    })
    void shouldRestart(String podPolicy, String containerPolicy, String rules, int exit, boolean restart) {
        Container c = container(containerPolicy, rules);

        assertThat(RestartRules.shouldRestart(pod(podPolicy, c), c, exit)).isEqualTo(restart);
    }

    @ParameterizedTest(name = "pod {0}, container {1}, rules {2}: restartable={3}")
    @CsvSource({
            "Always, -,         -,     true",
            "Never,  -,         -,     false",
            "Never,  OnFailure, -,     true",
            "Always, Never,     -,     false",
            "Always, Never,     In:42, true",
            "Never,  Never,     In:42, true",
    })
    void restartable(String podPolicy, String containerPolicy, String rules, boolean restartable) {
        Container c = container(containerPolicy, rules);

        assertThat(RestartRules.restartable(pod(podPolicy, c), c)).isEqualTo(restartable);
    }

    static Container container(String policy, String rules) {
        var b = new ContainerBuilder().withName("app").withImage("busybox:1.36");
        if (!policy.equals("-")) b.withRestartPolicy(policy);
        if (!rules.equals("-")) b.withRestartPolicyRules(rules(rules));
        return b.build();
    }

    /** {@code In:42;NotIn:0,1}: one Restart rule per {@code ;}. */
    static List<ContainerRestartRule> rules(String spec) {
        var out = new ArrayList<ContainerRestartRule>();
        for (String rule : spec.split(";")) {
            String[] parts = rule.split(":", -1);
            List<Integer> values = parts[1].isEmpty() ? List.of()
                    : Arrays.stream(parts[1].split(",")).map(Integer::valueOf).toList();
            out.add(new ContainerRestartRule("Restart", new ContainerRestartRuleOnExitCodes(parts[0], values)));
        }
        return out;
    }

    private static Pod pod(String policy, Container c) {
        return new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().withRestartPolicy(policy).withContainers(c).endSpec().build();
    }
}
