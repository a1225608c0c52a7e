package dev.peapod.image.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peapod.image.ImagePuller.Credentials;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryConfigsTest {
    @Test
    void registriesConfWithTablesMirrorsAndComments() {
        RegistriesConf conf = RegistriesConf.parse("""
                # a comment
                unqualified-search-registries = ["docker.io", "quay.io"]

                [[registry]]
                location = "docker.io"   # trailing comment
                [[registry.mirror]]
                location = "mirror.local:5000/hub"
                insecure = true
                [[registry.mirror]]
                location = "second.mirror"

                [[registry]]
                prefix = "example.com/team"
                location = 'internal.example:5000/team'
                insecure = true
                mirror = [{ location = "inline.mirror", insecure = false }]

                [[registry]]
                location = "blocked.example"
                blocked = true
                """);
        RegistriesConf.Registry hub = conf.find("docker.io/library/busybox");
        assertThat(hub.location()).isEqualTo("docker.io");
        assertThat(hub.insecure()).isFalse();
        assertThat(hub.mirrors()).containsExactly(new RegistriesConf.Mirror("mirror.local:5000/hub", true),
                new RegistriesConf.Mirror("second.mirror", false));
        RegistriesConf.Registry team = conf.find("example.com/team/app");
        assertThat(team.location()).isEqualTo("internal.example:5000/team");
        assertThat(team.insecure()).isTrue();
        assertThat(team.mirrors()).containsExactly(new RegistriesConf.Mirror("inline.mirror", false));
        assertThat(conf.find("example.com/teammate/app")).isNull();
        assertThat(conf.find("blocked.example/x").blocked()).isTrue();
        assertThat(conf.find("quay.io/x")).isNull();
    }

    @Test
    void version1InsecureList() {
        RegistriesConf conf = RegistriesConf.parse("""
                [registries.insecure]
                registries = ["localhost:5000"]
                """);
        assertThat(conf.find("localhost:5000/app").insecure()).isTrue();
    }

    @Test
    void registriesConfErrorsNameTheLine() {
        assertThatThrownBy(() -> RegistriesConf.parse("[[registry]]\nlocation = \"x\"\ninsecure = maybe\n"))
                .hasMessageContaining("line 3");
        assertThatThrownBy(() -> RegistriesConf.parse("[[registry]]\nlocation = \"unterminated\n"))
                .hasMessageContaining("line 2").hasMessageContaining("unterminated string");
        assertThatThrownBy(() -> RegistriesConf.parse("[[registry]]\ninsecure = true\n"))
                .hasMessageContaining("needs a location");
    }

    @Test
    void dockerConfigAuthAndUsernamePassword() {
        String auth = Base64.getEncoder().encodeToString("alice:pa:ss".getBytes(StandardCharsets.UTF_8));
        List<Credentials> creds = DockerConfig.parse(("""
                {"auths": {
                  "https://index.docker.io/v1/": {"auth": "%s"},
                  "registry.example:5000": {"username": "bob", "password": "pw"},
                  "empty.example": {}
                }}""").formatted(auth).getBytes(StandardCharsets.UTF_8));
        assertThat(creds).containsExactly(new Credentials("docker.io", "alice", "pa:ss"),
                new Credentials("registry.example:5000", "bob", "pw"));
        assertThat(creds.getFirst().toString()).doesNotContain("pa:ss");
    }

    @Test
    void dockerConfigErrors() {
        assertThatThrownBy(() -> DockerConfig.parse("{\"auths\":{\"x\":{\"auth\":\"!!!\"}}}".getBytes()))
                .hasMessageContaining("auths[\"x\"].auth is not base64");
        assertThatThrownBy(() -> DockerConfig.parse("[]".getBytes())).hasMessageContaining("not a JSON object");
    }

    @Test
    void challengeParsing() {
        Challenge c = Challenge.parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/busybox:pull\"");
        assertThat(c.scheme()).isEqualTo("bearer");
        assertThat(c.param("realm")).isEqualTo("https://auth.docker.io/token");
        assertThat(c.param("service")).isEqualTo("registry.docker.io");
        assertThat(c.param("scope")).isEqualTo("repository:library/busybox:pull");
        assertThat(Challenge.parse("Basic realm=\"Registry Realm\"").scheme()).isEqualTo("basic");
    }
}
