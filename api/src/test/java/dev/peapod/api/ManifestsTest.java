package dev.peapod.api;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class ManifestsTest {

    private static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
            spec:
              containers:
              - name: app
                image: nginx
            """;

    @Test
    void multiDocumentYamlKeepsOrderAndSkipsEmptyDocuments() {
        String text = """
                # leading comment only
                ---
                ---
                %s---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: cfg}
                data: {a: b}
                ---
                # trailing empty document
                ---
                """.formatted(POD);
        List<HasMetadata> objects = Manifests.parse(text, "all.yaml");
        assertThat(objects).extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .containsExactly("Pod/web", "ConfigMap/cfg");
        assertThat(objects.get(0)).isInstanceOf(Pod.class);
        assertThat(((ConfigMap) objects.get(1)).getData()).containsEntry("a", "b");
    }

    @Test
    void emptyInputHasNoObjects() {
        assertThat(Manifests.parse("", "empty.yaml")).isEmpty();
        assertThat(Manifests.parse("# nothing here\n", "empty.yaml")).isEmpty();
        assertThat(Manifests.parse("---\n---\nnull\n", "empty.yaml")).isEmpty();
    }

    @Test
    void jsonSingleAndConcatenated() {
        String json = """
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}, "spec": {"containers": [{"name": "c", "image": "x"}]}}
                {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"k": "v"}}
                """;
        List<HasMetadata> objects = Manifests.parse(json, "objs.json");
        assertThat(objects).hasSize(2);
        assertThat(((Pod) objects.get(0)).getSpec().getContainers().get(0).getImage()).isEqualTo("x");
        assertThat(((Secret) objects.get(1)).getStringData()).containsEntry("k", "v");
    }

    @Test
    void listItemsAreExpanded() {
        String list = """
                apiVersion: v1
                kind: List
                metadata: {resourceVersion: ""}
                items:
                - apiVersion: v1
                  kind: ConfigMap
                  metadata: {name: one}
                - apiVersion: v1
                  kind: List
                  items:
                  - {apiVersion: v1, kind: Secret, metadata: {name: two}}
                """;
        assertThat(Manifests.parse(list, "list.yaml")).extracting(o -> o.getMetadata().getName())
                .containsExactly("one", "two");
    }

    @Test
    void yamlOneOneOctalModesAndFieldsV1AreDecoded() {
        String text = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                  managedFields:
                  - manager: kubectl
                    fieldsV1: {"f:metadata": {"f:labels": {}}}
                spec:
                  containers: [{name: app, image: nginx}]
                  volumes:
                  - name: cfg
                    configMap: {name: cfg, defaultMode: 0644}
                """;
        Pod pod = (Pod) Manifests.parse(text, "pod.yaml").getFirst();
        assertThat(pod.getSpec().getVolumes().getFirst().getConfigMap().getDefaultMode()).isEqualTo(0644);
        assertThat(pod.getMetadata().getManagedFields().getFirst().getFieldsV1().getAdditionalProperties())
                .containsKey("f:metadata");
    }

    static Stream<Arguments> rejected() {
        return Stream.of(
                argumentSet("an unknown field in a container",
                        POD + "    imagee: nginx\n",
                        "pod.yaml: Pod \"web\": strict decoding error: unknown field \"spec.containers[0].imagee\""),
                argumentSet("all unknown fields with nested list indices",
                        """
                        apiVersion: v1
                        kind: Pod
                        metadata: {name: web, labelz: {}}
                        spec:
                          containers:
                          - name: app
                            image: nginx
                          - name: b
                            image: busybox
                            ports: [{containerPort: 80}, {containerPort: 81, hostPrt: 8081}]
                            env: [{name: A, valueFrom: {fieldRef: {fieldPath: x, api: v1}}}]
                            livenessProbe: {httpGet: {port: 80, headers: [{name: a}]}}
                          extra: {nested: [1, 2]}
                        """,
                        "pod.yaml: Pod \"web\": strict decoding error: unknown field \"metadata.labelz\", "
                                + "unknown field \"spec.containers[1].ports[1].hostPrt\", "
                                + "unknown field \"spec.containers[1].env[0].valueFrom.fieldRef.api\", "
                                + "unknown field \"spec.containers[1].livenessProbe.httpGet.headers\", "
                                + "unknown field \"spec.extra\""),
                argumentSet("an unknown field in a List item",
                        "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}, dat: {}}\n",
                        "pod.yaml: ConfigMap \"c\": strict decoding error: unknown field \"dat\""),
                argumentSet("an unknown field in the List itself",
                        "apiVersion: v1\nkind: List\nitemz: []\n",
                        "pod.yaml: document 1 (line 1): List: strict decoding error: unknown field \"itemz\""),
                argumentSet("a string where an integer belongs",
                        POD + "  terminationGracePeriodSeconds: \"30\"\n",
                        "pod.yaml: Pod \"web\": failed to decode spec.terminationGracePeriodSeconds: expected an integer, got string \"30\""),
                argumentSet("a number where a string belongs, as kubectl rejects it",
                        POD + "    env: [{name: PORT, value: 8080}]\n",
                        "pod.yaml: Pod \"web\": failed to decode spec.containers[0].env[0].value: expected a string, got number 8080"),
                argumentSet("a YAML 1.1 boolean as a label value",
                        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {enabled: yes}\n",
                        "pod.yaml: Pod \"web\": failed to decode metadata.labels[enabled]: expected a string, got boolean true"),
                argumentSet("a malformed quantity",
                        POD + "    resources: {limits: {cpu: lots}}\n",
                        "pod.yaml: Pod \"web\": failed to decode spec.containers[0].resources.limits[cpu]: " + Quantities.FORMAT_ERROR),
                argumentSet("secret data that is not base64",
                        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {ok: aGk=, token: not-base64}\n",
                        "pod.yaml: Secret \"s\": failed to decode data[token]: illegal base64 data"),
                argumentSet("an object where a list belongs",
                        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: {name: app}\n",
                        "pod.yaml: Pod \"web\": failed to decode spec.containers: expected a list, got an object"),
                argumentSet("an unnamed object is named by its document",
                        "---\napiVersion: v1\nkind: Pod\nspec: {nodeNme: x}\n",
                        "pod.yaml: document 1 (line 2): Pod: strict decoding error: unknown field \"spec.nodeNme\""),
                argumentSet("malformed YAML reports line and column",
                        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {a: b\nspec: {}\n",
                        "pod.yaml:6:5: while parsing a flow mapping: expected ',' or '}', but got :"),
                argumentSet("a value where a mapping was started",
                        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web: x\n",
                        "pod.yaml:4:12: mapping values are not allowed here"),
                argumentSet("a tab used for indentation",
                        "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: web\n",
                        "pod.yaml:4:1: while scanning for the next token: found character '\\t(TAB)' that cannot start any token. (Do not use \\t(TAB) for indentation)"),
                argumentSet("a duplicate field",
                        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n",
                        "pod.yaml:5:9: duplicate field \"name\""),
                argumentSet("a missing kind names the document",
                        POD + "---\n---\napiVersion: v1\nmetadata: {name: x}\n",
                        "pod.yaml: document 3 (line 11): missing \"kind\" (every object needs apiVersion and kind, e.g. apiVersion: v1, kind: Pod)"),
                argumentSet("a missing apiVersion names the document",
                        "kind: Pod\nmetadata: {name: x}\n",
                        "pod.yaml: document 1 (line 1): missing \"apiVersion\" (every object needs apiVersion and kind, e.g. apiVersion: v1, kind: Pod)"),
                argumentSet("an unsupported kind",
                        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n",
                        "pod.yaml: document 1 (line 1): unsupported kind \"Deployment\" in apiVersion \"apps/v1\" (supported: v1 Pod, v1 ConfigMap, v1 Secret, v1 PersistentVolumeClaim, v1 List)"),
                argumentSet("a scalar document",
                        "just text\n",
                        "pod.yaml: document 1 (line 1): expected an object with apiVersion and kind, got string \"just text\""),
                argumentSet("a kind that is not a string",
                        "apiVersion: v1\nkind: [Pod]\n",
                        "pod.yaml: document 1 (line 1): \"kind\" must be a string, got a list"));
    }

    @ParameterizedTest
    @MethodSource("rejected")
    void rejectsWithAPreciseMessage(String text, String message) {
        assertThatThrownBy(() -> Manifests.parse(text, "pod.yaml"))
                .isInstanceOf(ManifestException.class)
                .hasMessage(message);
    }

    @Test
    void secretDataStaysBase64AndStringDataStaysText() {
        Secret s = (Secret) Manifests.parse("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
                + "data: {token: aGk=}\nstringData: {plain: not base64 at all}\n", "s.yaml").getFirst();
        assertThat(s.getData()).containsEntry("token", "aGk=");
        assertThat(s.getStringData()).containsEntry("plain", "not base64 at all");
    }

    @Test
    void malformedJsonReportsLineAndColumn() {
        String json = "{\"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",}\n";
        assertThatThrownBy(() -> Manifests.parse(json, "pod.json"))
                .hasMessage("pod.json:2:17: Unexpected character ('}' (code 125)): was expecting double-quote to start field name");
    }

    @Test
    void parseFileNamesTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pod.yaml");
        Files.writeString(file, POD + "    imagee: x\n");
        assertThatThrownBy(() -> Manifests.parseFile(file))
                .hasMessage(file + ": Pod \"web\": strict decoding error: unknown field \"spec.containers[0].imagee\"");
        Files.writeString(file, POD);
        assertThat(Manifests.parseFile(file)).hasSize(1);
        assertThatThrownBy(() -> Manifests.parseFile(dir.resolve("missing.yaml")))
                .isInstanceOf(ManifestException.class)
                .hasMessageStartingWith("failed to read manifest " + dir.resolve("missing.yaml") + ": ");
    }

    @Test
    void yamlOutputLooksLikeKubectl() {
        String text = """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: cfg}
                data:
                  port: "8080"
                  flag: "yes"
                  date: "2001-01-01"
                  script: |
                    echo one
                    echo two
                """;
        String yaml = Manifests.toYaml(Manifests.parse(text, "cm.yaml").getFirst());
        assertThat(yaml).isEqualTo("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: cfg
                data:
                  port: "8080"
                  flag: "yes"
                  date: "2001-01-01"
                  script: |
                    echo one
                    echo two
                """);
    }

    @Test
    void jsonOutputLooksLikeKubectl() {
        String json = Manifests.toJson(Manifests.parse(POD, "pod.yaml").getFirst());
        assertThat(json).isEqualTo("""
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {
                        "name": "web"
                    },
                    "spec": {
                        "containers": [
                            {
                                "image": "nginx",
                                "name": "app"
                            }
                        ]
                    }
                }
                """);
    }
}
