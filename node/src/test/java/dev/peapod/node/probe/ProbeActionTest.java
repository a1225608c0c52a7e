package dev.peapod.node.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Building probe actions from the spec: ports, hosts, defaults. */
class ProbeActionTest {
    private static final Container APP = new ContainerBuilder().withName("app")
            .addNewPort().withName("http").withContainerPort(8080).endPort()
            .addNewPort().withName("grpc").withContainerPort(9090).endPort()
            .build();

    @Test
    void httpGetDefaultsToHttpThePodIpAndTheRootPath() {
        Probe probe = new ProbeBuilder().withNewHttpGet().withPort(new IntOrString(8080)).endHttpGet().build();

        assertThat(ProbeAction.of(probe, APP, "10.88.0.5"))
                .isEqualTo(new ProbeAction.HttpGet("http", "10.88.0.5", 8080, "/", List.of()));
    }

    @Test
    void httpGetWithEverything() {
        Probe probe = new ProbeBuilder().withNewHttpGet().withScheme("HTTPS").withHost("127.0.0.1")
                .withPath("healthz?full=1").withPort(new IntOrString("http"))
                .addNewHttpHeader().withName("Host").withValue("app.example").endHttpHeader().endHttpGet().build();

        var action = (ProbeAction.HttpGet) ProbeAction.of(probe, APP, "10.88.0.5");

        assertThat(action).isEqualTo(new ProbeAction.HttpGet("https", "127.0.0.1", 8080, "/healthz?full=1",
                List.of(new ProbeAction.Header("Host", "app.example"))));
        assertThat(action.url()).isEqualTo("https://127.0.0.1:8080/healthz?full=1");
    }

    @Test
    void aNamedPortTheContainerDoesNotDeclareIsAnError() {
        Probe probe = new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString("metrics")).endTcpSocket().build();

        assertThatThrownBy(() -> ProbeAction.of(probe, APP, "10.88.0.5"))
                .isInstanceOf(ProbeException.class)
                .hasMessage("failed to resolve port \"metrics\": container app has no port named \"metrics\"");
    }

    @Test
    void aPortNameThatIsANumberIsTheNumber() {
        Probe probe = new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString("5432")).endTcpSocket().build();

        assertThat(ProbeAction.of(probe, APP, "10.88.0.5")).isEqualTo(new ProbeAction.TcpSocket("10.88.0.5", 5432));
    }

    @Test
    void portsOutOfRangeAreErrors() {
        Probe zero = new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString(0)).endTcpSocket().build();
        Probe big = new ProbeBuilder().withNewGrpc().withPort(70000).endGrpc().build();

        assertThatThrownBy(() -> ProbeAction.of(zero, APP, "10.88.0.5")).hasMessageContaining("invalid port number: 0");
        assertThatThrownBy(() -> ProbeAction.of(big, APP, "10.88.0.5")).hasMessageContaining("invalid port number: 70000");
    }

    @Test
    void tcpSocketHostOverridesThePodIp() {
        Probe probe = new ProbeBuilder().withNewTcpSocket().withHost("192.0.2.1").withPort(new IntOrString(80)).endTcpSocket().build();

        assertThat(ProbeAction.of(probe, APP, "10.88.0.5")).isEqualTo(new ProbeAction.TcpSocket("192.0.2.1", 80));
    }

    @Test
    void grpcProbesThePodIpWithTheService() {
        Probe probe = new ProbeBuilder().withNewGrpc().withPort(9090).withService("ready").endGrpc().build();
        Probe noService = new ProbeBuilder().withNewGrpc().withPort(9090).endGrpc().build();

        assertThat(ProbeAction.of(probe, APP, "10.88.0.5")).isEqualTo(new ProbeAction.Grpc("10.88.0.5", 9090, "ready"));
        assertThat(ProbeAction.of(noService, APP, "10.88.0.5")).isEqualTo(new ProbeAction.Grpc("10.88.0.5", 9090, ""));
    }

    @Test
    void withoutAPodIpTheLocalHostIsProbed() {
        Probe probe = new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString(80)).endTcpSocket().build();

        assertThat(ProbeAction.of(probe, APP, null)).isEqualTo(new ProbeAction.TcpSocket("127.0.0.1", 80));
    }

    @Test
    void execKeepsArgvAndRefusesAnEmptyCommand() {
        Probe probe = new ProbeBuilder().withNewExec().withCommand("sh", "-c", "test -f /ready").endExec().build();
        Probe empty = new ProbeBuilder().withNewExec().endExec().build();

        assertThat(ProbeAction.of(probe, APP, "10.88.0.5")).isEqualTo(new ProbeAction.Exec(List.of("sh", "-c", "test -f /ready")));
        assertThatThrownBy(() -> ProbeAction.of(empty, APP, "10.88.0.5")).isInstanceOf(ProbeException.class);
    }

    @Test
    void aProbeWithoutHandlerIsAnError() {
        assertThatThrownBy(() -> ProbeAction.of(new Probe(), APP, "10.88.0.5"))
                .isInstanceOf(ProbeException.class).hasMessageContaining("no handler");
    }

    @Test
    void ipv6HostsAreBracketedInUrls() {
        var action = new ProbeAction.HttpGet("http", "fd00::5", 80, "/", List.of());

        assertThat(action.url()).isEqualTo("http://[fd00::5]:80/");
    }

    @Test
    void settingsTakeKubernetesDefaults() {
        assertThat(ProbeSettings.of(new Probe())).isEqualTo(ProbeSettings.DEFAULTS);
        assertThat(ProbeSettings.DEFAULTS).isEqualTo(new ProbeSettings(Duration.ZERO, Duration.ofSeconds(10),
                Duration.ofSeconds(1), 1, 3, Optional.empty()));
        Probe zeros = new ProbeBuilder().withPeriodSeconds(0).withTimeoutSeconds(0).withSuccessThreshold(0)
                .withFailureThreshold(0).build();
        assertThat(ProbeSettings.of(zeros)).as("zero means unset, as API defaulting does").isEqualTo(ProbeSettings.DEFAULTS);
    }

    @Test
    void settingsTakeTheSpec() {
        Probe probe = new ProbeBuilder().withInitialDelaySeconds(5).withPeriodSeconds(2).withTimeoutSeconds(3)
                .withSuccessThreshold(2).withFailureThreshold(7).withTerminationGracePeriodSeconds(9L).build();

        assertThat(ProbeSettings.of(probe)).isEqualTo(new ProbeSettings(Duration.ofSeconds(5), Duration.ofSeconds(2),
                Duration.ofSeconds(3), 2, 7, Optional.of(Duration.ofSeconds(9))));
    }

    @Test
    void eventsUseKubeletsWording() {
        assertThat(ProbeEvents.forResult(ProbeKind.LIVENESS, ProbeResult.failure("HTTP probe failed with statuscode: 500")))
                .contains(new ProbeEvents.Event("Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500"));
        assertThat(ProbeEvents.forResult(ProbeKind.READINESS, ProbeResult.warning("Probe terminated redirects, Response body: x")))
                .contains(new ProbeEvents.Event("Warning", "ProbeWarning", "Readiness probe warning: Probe terminated redirects, Response body: x"));
        assertThat(ProbeEvents.forResult(ProbeKind.STARTUP, ProbeResult.success("ok"))).isEmpty();
        assertThat(ProbeEvents.killMessage("web", ProbeKind.LIVENESS)).isEqualTo("Container web failed liveness probe, will be restarted");
        assertThat(ProbeEvents.killMessage("web", ProbeKind.STARTUP)).isEqualTo("Container web failed startup probe, will be restarted");
    }
}
