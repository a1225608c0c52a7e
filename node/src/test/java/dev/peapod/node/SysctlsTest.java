package dev.peapod.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sysctl admission (kubelet's allowlist) and what the infra process gets. */
class SysctlsTest {

    private static Pod pod(boolean hostNetwork, boolean hostIpc, String... nameValues) {
        var b = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                .withHostNetwork(hostNetwork).withHostIPC(hostIpc).withNewSecurityContext();
        for (int i = 0; i < nameValues.length; i += 2) b = b.addNewSysctl(nameValues[i], nameValues[i + 1]);
        return b.endSecurityContext().endSpec().build();
    }

    @ParameterizedTest(name = "{0} (hostNetwork {1}, hostIPC {2}, allowed {3}) -> {4}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "net.ipv4.ip_local_port_range      | false | false | -          | -",
            "net/ipv4/tcp_syncookies           | false | false | -          | -",
            "kernel.shm_rmid_forced            | false | false | -          | -",
            "net.ipv4.tcp_rmem                 | false | false | -          | -",
            "kernel.msgmax                     | false | false | -          | forbidden sysctl: \"kernel.msgmax\" not allowlisted",
            "kernel.msgmax                     | false | false | kernel.msg* | -",
            "kernel.msgmax                     | false | true  | kernel.msg* | forbidden sysctl: \"kernel.msgmax\" not allowed with host ipc enabled",
            "net.ipv4.ip_local_port_range      | true  | false | -          | forbidden sysctl: \"net.ipv4.ip_local_port_range\" not allowed with host net enabled",
            "net.core.somaxconn                | false | false | net.core.somaxconn | -",
            "net.core.somaxconn                | false | false | net.ipv4.* | forbidden sysctl: \"net.core.somaxconn\" not allowlisted",
            "kernel.hostname                   | false | false | -          | forbidden sysctl: \"kernel.hostname\" not allowlisted",
    })
    void admission(String name, boolean hostNet, boolean hostIpc, String allowed, String refusal) {
        var allow = allowed == null ? List.<String>of() : List.of(allowed);

        assertThat(Sysctls.refusal(pod(hostNet, hostIpc, name, "1"), allow)).isEqualTo(Optional.ofNullable(refusal));
    }

    @Test
    void slashSeparatedNamesSwapSeparators() {
        assertThat(Sysctls.dotted("net/ipv4/conf/eno2.100/rp_filter")).isEqualTo("net.ipv4.conf.eno2/100.rp_filter");
        assertThat(Sysctls.dotted("net.ipv4.conf.eno2/100.rp_filter")).isEqualTo("net.ipv4.conf.eno2/100.rp_filter");
    }

    @Test
    void theInfraGetsTheSysctlsDottedInOrder() {
        assertThat(Sysctls.forInfra(pod(false, false, "net/ipv4/tcp_syncookies", "1", "kernel.shm_rmid_forced", "1")))
                .containsExactly(Map.entry("net.ipv4.tcp_syncookies", "1"), Map.entry("kernel.shm_rmid_forced", "1"));
    }

    @Test
    void theNodeAllowListMayOnlyNameNamespacedSysctls() {
        assertThatThrownBy(() -> Sysctls.checkAllowList(List.of("kernel.hostname")))
                .hasMessage("the sysctl \"kernel.hostname\" are not known to be namespaced");
        assertThatThrownBy(() -> Sysctls.checkAllowList(List.of("vm.*")))
                .hasMessage("the sysctls \"vm.*\" are not known to be namespaced");
        Sysctls.checkAllowList(List.of("net.*", "kernel.sem", "fs/mqueue/msg_max"));
    }
}
