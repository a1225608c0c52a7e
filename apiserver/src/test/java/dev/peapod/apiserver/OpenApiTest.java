package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peapod.apiserver.OpenApiSchemas.Dialect;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The schemas generated from fabric8's classes and the documents around them. */
class OpenApiTest {
    static final String CORE = "io.k8s.api.core.v1.";

    /** The sources jars the build copies (apiserver/pom.xml), as OpenApiBuild reads them. */
    static OpenApiSchemas.Descriptions descriptions() {
        try {
            return JavadocDescriptions.fromJarsIn(java.nio.file.Path.of("target/fabric8-sources"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    final JsonNode v3 = OpenApi.v3().get("components").get("schemas");
    final JsonNode v2 = OpenApi.v2().get("definitions");

    @Test
    void containersMergeByNameAndPortsByContainerPortAndProtocol() {
        JsonNode containers = v3.at("/" + CORE + "PodSpec/properties/containers");
        assertThat(containers.get("type").asText()).isEqualTo("array");
        assertThat(containers.get("x-kubernetes-patch-merge-key").asText()).isEqualTo("name");
        assertThat(containers.get("x-kubernetes-patch-strategy").asText()).isEqualTo("merge");
        assertThat(containers.get("x-kubernetes-list-type").asText()).isEqualTo("map");
        assertThat(containers.at("/items/allOf/0/$ref").asText()).isEqualTo("#/components/schemas/" + CORE + "Container");

        JsonNode container = v3.get(CORE + "Container");
        assertThat(container.at("/required/0").asText()).isEqualTo("name");
        assertThat(container.at("/properties/ports/x-kubernetes-patch-merge-key").asText()).isEqualTo("containerPort");
        assertThat(container.at("/properties/ports/x-kubernetes-list-map-keys").toString()).isEqualTo("[\"containerPort\",\"protocol\"]");
        assertThat(container.at("/properties/env/x-kubernetes-patch-merge-key").asText()).isEqualTo("name");
        assertThat(container.at("/properties/volumeMounts/x-kubernetes-patch-merge-key").asText()).isEqualTo("mountPath");
        assertThat(v3.at("/" + CORE + "PodSpec/properties/volumes/x-kubernetes-patch-strategy").asText()).isEqualTo("merge,retainKeys");
        // Fields without an entry have no patch extensions: SMP replaces them whole.
        assertThat(container.at("/properties/image").findValuesAsText("type")).containsExactly("string");
        assertThat(container.at("/properties/image").fieldNames()).toIterable().containsExactly("type", "description");
        // Jackson's names, not Java's: the fabric8 getter is getImagePullPolicy, the JSON key imagePullPolicy.
        assertThat(container.get("properties").has("imagePullPolicy")).isTrue();
        assertThat(container.get("properties").has("additionalProperties")).isFalse();
    }

    /** The markers of k8s.io/api core/v1 types.go that server-side apply reads back from this document (ApplySchema). */
    @Test
    void listAndMapTypesFollowTypesGo() {
        JsonNode container = v2.get(CORE + "Container").get("properties");
        // +listType=map +listMapKey=name (and mountPath, devicePath)
        assertThat(container.at("/env/x-kubernetes-list-type").asText()).isEqualTo("map");
        assertThat(container.at("/env/x-kubernetes-list-map-keys").toString()).isEqualTo("[\"name\"]");
        assertThat(container.at("/volumeMounts/x-kubernetes-list-map-keys").toString()).isEqualTo("[\"mountPath\"]");
        assertThat(container.at("/volumeDevices/x-kubernetes-list-map-keys").toString()).isEqualTo("[\"devicePath\"]");
        // +listType=atomic, even with a patch merge key (hostIPs)
        assertThat(container.at("/resizePolicy/x-kubernetes-list-type").asText()).isEqualTo("atomic");
        assertThat(v2.at("/" + CORE + "PodStatus/properties/hostIPs/x-kubernetes-list-type").asText()).isEqualTo("atomic");
        // the same field name, two list types
        assertThat(v2.at("/" + CORE + "PodSpec/properties/imagePullSecrets/x-kubernetes-list-type").asText()).isEqualTo("map");
        assertThat(v2.at("/" + CORE + "ServiceAccount/properties/imagePullSecrets/x-kubernetes-list-type").asText()).isEqualTo("atomic");
        // +mapType=atomic, +structType=atomic, +default="TCP"
        assertThat(v2.at("/" + CORE + "PodSpec/properties/nodeSelector/x-kubernetes-map-type").asText()).isEqualTo("atomic");
        assertThat(v2.at("/" + CORE + "ConfigMapKeySelector/x-kubernetes-map-type").asText()).isEqualTo("atomic");
        assertThat(v3.at("/" + CORE + "ConfigMapKeySelector/x-kubernetes-map-type").asText()).isEqualTo("atomic");
        assertThat(v2.at("/" + CORE + "ContainerPort/properties/protocol/default").asText()).isEqualTo("TCP");
        assertThat(v2.at("/" + CORE + "Container/x-kubernetes-map-type").isMissingNode()).isTrue();
    }

    @Test
    void intOrStringQuantityAndScalarFormatsFollowKubeOpenapi() {
        assertThat(v3.at("/" + CORE + "HTTPGetAction/properties/port/allOf/0/$ref").asText())
                .isEqualTo("#/components/schemas/" + OpenApiSchemas.INT_OR_STRING);
        assertThat(v3.get(OpenApiSchemas.INT_OR_STRING).toString())
                .isEqualTo("{\"format\":\"int-or-string\",\"oneOf\":[{\"type\":\"integer\"},{\"type\":\"string\"}]}");
        assertThat(v2.get(OpenApiSchemas.INT_OR_STRING).toString()).isEqualTo("{\"type\":\"string\",\"format\":\"int-or-string\"}");
        assertThat(v2.at("/" + CORE + "HTTPGetAction/properties/port/$ref").asText())
                .isEqualTo("#/definitions/" + OpenApiSchemas.INT_OR_STRING);
        assertThat(v3.at("/" + CORE + "ResourceRequirements/properties/limits/additionalProperties/allOf/0/$ref").asText())
                .endsWith(OpenApiSchemas.QUANTITY);
        assertThat(v3.at("/" + OpenApiSchemas.QUANTITY + "/oneOf/0/type").asText()).isEqualTo("string");
        assertThat(v3.at("/" + CORE + "ContainerPort/properties/containerPort/type").asText()).isEqualTo("integer");
        assertThat(v3.at("/" + CORE + "ContainerPort/properties/containerPort/format").asText()).isEqualTo("int32");
        assertThat(v3.at("/" + CORE + "PodSpec/properties/terminationGracePeriodSeconds/format").asText()).isEqualTo("int64");
        assertThat(v3.at("/" + CORE + "PodSpec/properties/hostNetwork/type").asText()).isEqualTo("boolean");
        assertThat(v3.at("/" + CORE + "ConfigMap/properties/data/additionalProperties/type").asText()).isEqualTo("string");
        assertThat(v3.at("/" + CORE + "Event/properties/eventTime/allOf/0/$ref").asText()).endsWith("meta.v1.MicroTime");
    }

    @Test
    void everyServedKindHasItsGroupVersionKind() {
        for (ResourceType t : ResourceType.ALL) {
            JsonNode gvk = v3.at("/" + CORE + t.kind() + "/x-kubernetes-group-version-kind/0");
            assertThat(gvk.toString()).as(t.kind()).isEqualTo("{\"group\":\"\",\"kind\":\"" + t.kind() + "\",\"version\":\"v1\"}");
            assertThat(v3.at("/" + CORE + t.kind() + "List/x-kubernetes-group-version-kind/0/kind").asText()).isEqualTo(t.kind() + "List");
            assertThat(v2.at("/" + CORE + t.kind() + "/x-kubernetes-group-version-kind/0/kind").asText()).isEqualTo(t.kind());
        }
        assertThat(v3.at("/io.k8s.api.policy.v1.Eviction/x-kubernetes-group-version-kind/0/group").asText()).isEqualTo("policy");
        assertThat(v3.at("/io.k8s.apimachinery.pkg.apis.meta.v1.Status/x-kubernetes-group-version-kind/0/kind").asText()).isEqualTo("Status");
        assertThat(v3.at("/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta/properties/ownerReferences/x-kubernetes-patch-merge-key").asText())
                .isEqualTo("uid");
    }

    @Test
    void descriptionsComeFromTheJavadocOfFabric8sSources() {
        assertThat(v3.at("/" + CORE + "Pod/description").asText())
                .isEqualTo("Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.");
        assertThat(v3.at("/" + CORE + "Container/properties/image/description").asText()).startsWith("Container image name.");
        // Beside a reference: v3 wraps it in allOf (siblings of $ref are ignored in OpenAPI 3.0), v2 does not.
        assertThat(v3.at("/" + CORE + "PodSpec/properties/containers/description").asText()).isEqualTo("List of containers belonging to the pod. Containers cannot currently be added or removed. There must be at least one container in a Pod. Cannot be updated.");
        assertThat(v3.at("/" + CORE + "PodSpec/properties/containers/items/allOf/0/$ref").asText()).endsWith(CORE + "Container");
        // fabric8 documents an object-typed property with its holder's text (Pod.spec: "Pod is a collection…"): left out.
        assertThat(v3.at("/" + CORE + "Pod/properties/spec").has("description")).isFalse();
        assertThat(v3.at("/" + CORE + "Container/properties/livenessProbe").has("description")).isFalse();
        assertThat(v3.at("/" + CORE + "PodSpec/description").asText()).isEqualTo("PodSpec is a description of a pod.");
        // HTML escapes undone: the javadoc has "0 &lt; x &lt; 65536".
        assertThat(v3.at("/" + CORE + "ContainerPort/properties/containerPort/description").asText()).contains("0 < x < 65536");
        assertThat(JavadocDescriptions.text("\n     * a &lt;b&gt; &#42; c\n     * d &amp; e\n     ")).isEqualTo("a <b> * c\nd & e");
        assertThat(v3.at("/io.k8s.api.policy.v1.Eviction/description").asText()).startsWith("Eviction evicts a pod");
    }

    @Test
    void theLeaseHasItsOwnReadOnlyDocument() {
        var doc = OpenApi.v3(OpenApi.COORDINATION);
        assertThat(doc.at("/components/schemas/io.k8s.api.coordination.v1.Lease/x-kubernetes-group-version-kind/0/group").asText())
                .isEqualTo("coordination.k8s.io");
        assertThat(doc.at("/components/schemas/io.k8s.api.coordination.v1.LeaseSpec/properties/renewTime/format").asText())
                .isEqualTo("date-time"); // a ZonedDateTime in fabric8's class
        JsonNode item = doc.at("/paths/~1apis~1coordination.k8s.io~1v1~1namespaces~1{namespace}~1leases~1{name}");
        assertThat(item.at("/get/operationId").asText()).isEqualTo("readCoordinationV1Lease");
        assertThat(item.has("patch")).isFalse();
        assertThat(OpenApi.index().at("/paths/apis~1coordination.k8s.io~1v1/serverRelativeURL").asText())
                .startsWith("/openapi/v3/apis/coordination.k8s.io/v1?hash=");
        assertThat(v2.has("io.k8s.api.coordination.v1.Lease")).isTrue();
    }

    @Test
    void everyReferenceResolves() {
        for (var d : List.of(OpenApi.v2(), OpenApi.v3(), OpenApi.v3(OpenApi.COORDINATION))) {
            var refs = new ArrayList<String>();
            collectRefs(d, refs);
            assertThat(refs).isNotEmpty();
            for (String ref : refs) {
                String name = ref.substring(ref.lastIndexOf('/') + 1);
                JsonNode defs = d.has("definitions") ? d.get("definitions") : d.at("/components/schemas");
                assertThat(defs.has(name)).as(ref).isTrue();
            }
        }
    }

    private static void collectRefs(JsonNode n, List<String> out) {
        if (n.has("$ref")) out.add(n.get("$ref").asText());
        n.forEach(c -> collectRefs(c, out));
    }

    @Test
    void thePatchOperationOffersStrategicMergeAndFieldValidation() {
        JsonNode patch = OpenApi.v3().at("/paths/~1api~1v1~1namespaces~1{namespace}~1pods~1{name}/patch");
        assertThat(patch.at("/x-kubernetes-group-version-kind/kind").asText()).isEqualTo("Pod");
        assertThat(patch.at("/requestBody/content").has("application/strategic-merge-patch+json")).isTrue();
        assertThat(patch.get("parameters").findValuesAsText("name")).contains("fieldValidation");
        JsonNode v2patch = OpenApi.v2().at("/paths/~1api~1v1~1namespaces~1{namespace}~1pods~1{name}/patch");
        assertThat(v2patch.get("consumes").toString()).contains("application/strategic-merge-patch+json");
    }

    @Test
    void generationIsDeterministicAndTheIndexCarriesTheDocumentsHash() {
        // What the build wrote is what generating now gives: the same classes, the same bytes.
        for (var gv : OpenApi.GROUP_VERSIONS) {
            assertThat(Json.write(OpenApi.document(Dialect.V3, descriptions(), List.of(gv)))).isEqualTo(Json.write(OpenApi.v3(gv)));
        }
        assertThat(Json.write(OpenApi.document(Dialect.V2, descriptions(), OpenApi.GROUP_VERSIONS))).isEqualTo(Json.write(OpenApi.v2()));
        String url = OpenApi.index().at("/paths/api~1v1/serverRelativeURL").asText();
        assertThat(url).matches("/openapi/v3/api/v1\\?hash=[0-9A-F]{128}");
    }

    @Test
    void theV3DocumentsAreServedAsJsonOnly() {
        assertThat(OpenApi.acceptsJson(null)).isTrue();
        assertThat(OpenApi.acceptsJson("application/json, */*")).isTrue();
        assertThat(OpenApi.acceptsJson("application/json;g=apidiscovery.k8s.io;v=v2")).isTrue();
        assertThat(OpenApi.acceptsJson("application/com.github.proto-openapi.spec.v2@v1.0+protobuf")).isFalse();
    }

    @Test
    void theHandlerServesV2AsJsonOrProtobufAndRefusesOtherTypesWith406() {
        var store = new dev.peapod.store.MemoryStore(5);
        var api = new ApiHandler(store, "t", "node1", "127.0.0.1:6443", java.time.Clock.systemUTC());
        java.util.function.BiFunction<String, String, Reply> call = (path, accept) -> api.handle(
                new ApiRequest("GET", path, java.util.Map.of(), accept, null, "Bearer t", ""));
        java.util.function.BiFunction<String, String, Reply.Document> get = (path, accept) -> (Reply.Document) call.apply(path, accept);
        var json = (Reply.Bytes) call.apply("/openapi/v2", "application/json");
        assertThat(json.contentType()).isEqualTo("application/json");
        assertThat(Json.parse(new String(json.body(), java.nio.charset.StandardCharsets.UTF_8)).get("swagger").asText()).isEqualTo("2.0");
        // client-go's OpenAPISchema() asks for protobuf only.
        var proto = (Reply.Bytes) call.apply("/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
        assertThat(proto.contentType()).isEqualTo(OpenApiProto.CONTENT_TYPE);
        // Document.swagger (field 1, length-delimited) = "2.0", then Document.info (field 2).
        assertThat(java.util.Arrays.copyOf(proto.body(), 6)).containsExactly(0x0a, 3, '2', '.', '0', 0x12);
        var refused = get.apply("/openapi/v2", "application/yaml");
        assertThat(refused.status()).isEqualTo(406);
        assertThat(refused.body().get("reason").asText()).isEqualTo("NotAcceptable");
        assertThat(get.apply("/openapi/v3", "application/com.github.proto-openapi.spec.v3@v1.0+protobuf").status()).isEqualTo(406);
        String url = get.apply("/openapi/v3", "application/json").body().at("/paths/api~1v1/serverRelativeURL").asText();
        var v3doc = (Reply.Bytes) call.apply(url.substring(0, url.indexOf('?')), "application/json");
        assertThat(v3doc.status()).isEqualTo(200);
        assertThat(Json.parse(new String(v3doc.body(), java.nio.charset.StandardCharsets.UTF_8))
                .at("/components/schemas/io.k8s.api.core.v1.Pod/type").asText()).isEqualTo("object");
        assertThat(get.apply("/openapi/v3/api/v1", "application/com.github.proto-openapi.spec.v3@v1.0+protobuf").status()).isEqualTo(406);
    }

    /** Prints what generation costs; a regression to seconds shows here (the budget is a start-up's). */
    @Test
    void generationCostAndSize() {
        OpenApi.document(Dialect.V3, descriptions(), List.of(OpenApi.CORE)); // warm the introspection classes
        long t0 = System.nanoTime();
        var d3 = OpenApi.document(Dialect.V3, descriptions(), List.of(OpenApi.CORE));
        long t1 = System.nanoTime();
        var d2 = OpenApi.document(Dialect.V2, descriptions(), OpenApi.GROUP_VERSIONS);
        long t2 = System.nanoTime();
        int v3Bytes = Json.write(d3).length(), v2Bytes = Json.write(d2).length();
        System.out.printf("OpenAPI: v3 %d schemas, %d bytes, %.1f ms; v2 %d bytes, %.1f ms (warm)%n",
                d3.at("/components/schemas").size(), v3Bytes, (t1 - t0) / 1e6, v2Bytes, (t2 - t1) / 1e6);
        assertThat(d3.at("/components/schemas").size()).isGreaterThan(100);
        assertThat(v3Bytes).isLessThan(2_000_000);
    }
}
