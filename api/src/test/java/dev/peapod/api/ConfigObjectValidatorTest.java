package dev.peapod.api;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigObjectValidatorTest {
    private static <T> T parse(String yaml) {
        @SuppressWarnings("unchecked")
        T t = (T) Manifests.parse(yaml, "t.yaml").getFirst();
        return t;
    }

    @Test
    void keysThatWouldEscapeAVolumeAreRefusedWithTheirFieldPath() {
        ConfigMap cm = parse("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: app, namespace: default}
                data: {"../x": a, "/etc/passwd": b, ok.key: c, "..hidden": d}
                binaryData: {ok.key: AA==}
                """);
        assertThat(ConfigObjectValidator.validate(cm)).extracting(Object::toString).containsExactlyInAnyOrder(
                "data[../x]: Invalid value: \"../x\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                        + "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
                "data[../x]: Invalid value: \"../x\": must not start with '..'",
                "data[/etc/passwd]: Invalid value: \"/etc/passwd\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                        + "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
                "data[..hidden]: Invalid value: \"..hidden\": must not start with '..'",
                "binaryData[ok.key]: Invalid value: \"ok.key\": duplicate of key present in data");
    }

    @Test
    void secretKeysInDataAndStringDataAreChecked() {
        Secret s = parse("""
                apiVersion: v1
                kind: Secret
                metadata: {name: creds, namespace: default}
                data: {good: czNjcjN0}
                stringData: {"a/b": x}
                """);
        assertThat(ConfigObjectValidator.validate(s)).extracting(Object::toString).singleElement().asString()
                .startsWith("stringData[a/b]: Invalid value: \"a/b\": a valid config key");
    }

    @Test
    void validObjectsPass() {
        ConfigMap cm = parse("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: app, namespace: default}
                data: {app.conf: x, KEY_1: y}
                """);
        assertThat(ConfigObjectValidator.validate(cm)).isEmpty();
    }
}
