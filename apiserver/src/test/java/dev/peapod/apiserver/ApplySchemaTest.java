package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peapod.apiserver.ApplySchema.ListType;
import dev.peapod.apiserver.FieldSet.Path;
import dev.peapod.apiserver.ManagedFields.Entry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.peapod.apiserver.ManagedFieldsTest.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Server-side apply typed by the served OpenAPI schema: lists and maps merge as the markers of
 * k8s.io/api core/v1 types.go say, looked up by type along the object's path, not by field name.
 */
class ApplySchemaTest {
    static final ApplySchema.Type POD = ApplySchema.served().root(ResourceType.PODS);

    static final String C = "k:{\"name\":\"c\"}";

    static Path p(String... elements) { return Path.of(elements); }

    static JsonNode pod(String container) {
        return j("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},'spec':{'containers':[" + container + "]}}");
    }

    static JsonNode live() {
        return ManagedFields.apply(List.of(), Json.object(), pod("{'name':'c','image':'i'}"), ResourceType.PODS, "creator", "", false).object();
    }

    static FieldSet owned(List<Entry> entries, String manager) {
        return entries.stream().filter(e -> e.manager().equals(manager)).findFirst().orElseThrow().fields();
    }

    @Test
    void twoManagersApplyingDifferentEnvVarsOfOneContainerOwnOneEachWithoutConflict() {
        var a = ManagedFields.apply(List.of(), live(), pod("{'name':'c','env':[{'name':'A','value':'1'}]}"), ResourceType.PODS, "a", "", false);
        var b = ManagedFields.apply(a.entries(), a.object(), pod("{'name':'c','env':[{'name':'B','value':'2'}]}"), ResourceType.PODS, "b", "", false);
        assertThat(b.object().at("/spec/containers/0/env")).isEqualTo(j("[{'name':'A','value':'1'},{'name':'B','value':'2'}]"));
        Path env = p("f:spec", "f:containers", C, "f:env");
        assertThat(owned(b.entries(), "a").contains(env.child("k:{\"name\":\"A\"}").child("f:value"))).isTrue();
        assertThat(owned(b.entries(), "b").contains(env.child("k:{\"name\":\"B\"}").child("f:value"))).isTrue();
        assertThat(owned(b.entries(), "b").containsOrBelow(env.child("k:{\"name\":\"A\"}"))).isFalse();

        // a drops its variable: only A goes, B stays b's.
        var dropped = ManagedFields.apply(b.entries(), b.object(), pod("{'name':'c'}"), ResourceType.PODS, "a", "", false);
        assertThat(dropped.object().at("/spec/containers/0/env")).isEqualTo(j("[{'name':'B','value':'2'}]"));
    }

    /** resizePolicy is {@code +listType=atomic} in types.go (no list-map key): one manager owns the whole list. */
    @Test
    void resizePolicyIsAtomicAsTypesGoSays() {
        var a = ManagedFields.apply(List.of(), live(), pod("{'name':'c','resizePolicy':[{'resourceName':'cpu','restartPolicy':'NotRequired'}]}"),
                ResourceType.PODS, "a", "", false);
        Path policy = p("f:spec", "f:containers", C, "f:resizePolicy");
        assertThat(owned(a.entries(), "a").contains(policy)).isTrue();
        assertThat(owned(a.entries(), "a").paths()).noneMatch(x -> policy.contains(x) && !x.equals(policy));
        JsonNode other = pod("{'name':'c','resizePolicy':[{'resourceName':'memory','restartPolicy':'RestartContainer'}]}");
        assertThatThrownBy(() -> ManagedFields.apply(a.entries(), a.object(), other, ResourceType.PODS, "b", "", false))
                .isInstanceOfSatisfying(ManagedFields.ConflictException.class, e ->
                        assertThat(e.getMessage()).isEqualTo("Apply failed with 1 conflict: conflict with \"a\": .spec.containers[name=\"c\"].resizePolicy"));
        var forced = ManagedFields.apply(a.entries(), a.object(), other, ResourceType.PODS, "b", "", true);
        assertThat(forced.object().at("/spec/containers/0/resizePolicy")).isEqualTo(j("[{'resourceName':'memory','restartPolicy':'RestartContainer'}]"));
    }

    /** hostIPs has a patch merge key but {@code +listType=atomic}: the list type wins (schemaconv). */
    @Test
    void hostIPsAreAtomicPodIPsKeyedByIp() {
        FieldSet f = ObjectFields.fieldsOf(j("{'status':{'hostIPs':[{'ip':'10.0.0.1'}],'podIPs':[{'ip':'10.1.0.5'}]}}"), POD);
        assertThat(f.paths()).containsExactlyInAnyOrder(p("f:status", "f:hostIPs"),
                p("f:status", "f:podIPs", "k:{\"ip\":\"10.1.0.5\"}"), p("f:status", "f:podIPs", "k:{\"ip\":\"10.1.0.5\"}", "f:ip"));
    }

    /** imagePullSecrets: a list-map on name in a PodSpec, atomic in a ServiceAccount; their items are atomic references. */
    @Test
    void theSameFieldNameMergesAsItsTypeSays() {
        FieldSet inPod = ObjectFields.fieldsOf(j("{'spec':{'imagePullSecrets':[{'name':'r'}]}}"), POD);
        assertThat(inPod.paths()).containsExactly(p("f:spec", "f:imagePullSecrets", "k:{\"name\":\"r\"}"));
        FieldSet inAccount = ObjectFields.fieldsOf(j("{'imagePullSecrets':[{'name':'r'}],'secrets':[{'name':'s'}]}"),
                ApplySchema.served().root(ResourceType.SERVICE_ACCOUNTS));
        assertThat(inAccount.paths()).containsExactlyInAnyOrder(p("f:imagePullSecrets"), p("f:secrets", "k:{\"name\":\"s\"}"));

        // Node status: conditions and addresses are list-maps on type.
        FieldSet node = ObjectFields.fieldsOf(j("{'status':{'addresses':[{'type':'InternalIP','address':'10.0.0.1'}]}}"),
                ApplySchema.served().root(ResourceType.NODES));
        assertThat(node.contains(p("f:status", "f:addresses", "k:{\"type\":\"InternalIP\"}", "f:address"))).isTrue();
    }

    @Test
    void portsAreKeyedByContainerPortAndProtocolWhichDefaultsToTcp() {
        FieldSet f = ObjectFields.fieldsOf(pod("{'name':'c','ports':[{'containerPort':80},{'containerPort':53,'protocol':'UDP'}]}"), POD);
        Path ports = p("f:spec", "f:containers", C, "f:ports");
        assertThat(f.contains(ports.child("k:{\"containerPort\":80,\"protocol\":\"TCP\"}").child("f:containerPort"))).isTrue();
        assertThat(f.contains(ports.child("k:{\"containerPort\":53,\"protocol\":\"UDP\"}").child("f:protocol"))).isTrue();
        // an item without its key (no name): the list is atomic, as before
        FieldSet keyless = ObjectFields.fieldsOf(pod("{'name':'c','env':[{'value':'x'}]}"), POD);
        assertThat(keyless.contains(p("f:spec", "f:containers", C, "f:env"))).isTrue();
    }

    @Test
    void atomicMapsAndStructsAreOwnedWhole() {
        JsonNode config = j("{'spec':{'nodeSelector':{'disk':'ssd'},'containers':[{'name':'c','env':[{'name':'A',"
                + "'valueFrom':{'configMapKeyRef':{'name':'cm','key':'k'}}}]}]},'metadata':{'labels':{'a':'1'},"
                + "'ownerReferences':[{'apiVersion':'v1','kind':'Node','name':'n','uid':'u1'}]}}");
        FieldSet f = ObjectFields.fieldsOf(config, POD);
        Path a = p("f:spec", "f:containers", C, "f:env", "k:{\"name\":\"A\"}");
        assertThat(f.paths()).contains(p("f:spec", "f:nodeSelector"), a.child("f:valueFrom").child("f:configMapKeyRef"),
                p("f:metadata", "f:labels", "f:a"), p("f:metadata", "f:ownerReferences", "k:{\"uid\":\"u1\"}"));
        assertThat(f.paths()).noneMatch(x -> x.toString().contains("nodeSelector.disk") || x.toString().contains("configMapKeyRef.")
                || x.toString().contains("ownerReferences[uid=\"u1\"]."));
        // a second manager changing one key of the atomic nodeSelector replaces it whole, and conflicts
        var first = ManagedFields.apply(List.of(), Json.object(), config, ResourceType.PODS, "a", "", false);
        JsonNode other = j("{'spec':{'nodeSelector':{'zone':'z'}}}");
        assertThatThrownBy(() -> ManagedFields.apply(first.entries(), first.object(), other, ResourceType.PODS, "b", "", false))
                .hasMessageContaining(".spec.nodeSelector");
        var forced = ManagedFields.apply(first.entries(), first.object(), other, ResourceType.PODS, "b", "", true);
        assertThat(forced.object().at("/spec/nodeSelector")).isEqualTo(j("{'zone':'z'}"));
    }

    @Test
    void everyServedKindHasItsSchema() {
        for (ResourceType t : java.util.stream.Stream.concat(ResourceType.ALL.stream(), java.util.stream.Stream.of(CoordinationGroup.LEASES)).toList()) {
            assertThat(ApplySchema.resolve(ApplySchema.served().root(t))).as(t.kind()).isInstanceOf(ApplySchema.Struct.class);
            assertThat(ApplySchema.field(ApplySchema.served().root(t), "metadata")).as(t.kind())
                    .isEqualTo(new ApplySchema.Ref("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", ApplySchema.served()));
        }
    }

    /** schemaconv's rules for lists, on a small document: the list type decides, else the patch strategy. */
    @Test
    void listTypesAreReadAsSchemaconvReadsThem() {
        ApplySchema s = ApplySchema.of(j("{'definitions':{'T':{'type':'object','x-kubernetes-group-version-kind':[{'group':'','kind':'Pod','version':'v1'}],"
                + "'properties':{"
                + "'merged':{'type':'array','items':{'$ref':'#/definitions/I'},'x-kubernetes-patch-strategy':'merge','x-kubernetes-patch-merge-key':'id'},"
                + "'retained':{'type':'array','items':{'$ref':'#/definitions/I'},'x-kubernetes-patch-strategy':'merge,retainKeys','x-kubernetes-patch-merge-key':'id'},"
                + "'set':{'type':'array','items':{'type':'string'},'x-kubernetes-patch-strategy':'merge'},"
                + "'overridden':{'type':'array','items':{'$ref':'#/definitions/I'},'x-kubernetes-list-type':'atomic','x-kubernetes-patch-strategy':'merge','x-kubernetes-patch-merge-key':'id'},"
                + "'plain':{'type':'array','items':{'type':'string'}},"
                + "'any':{'type':'object'}}},"
                + "'I':{'type':'object','properties':{'id':{'type':'string','default':'x'}}}}}"));
        ApplySchema.Type t = s.root(ResourceType.PODS);
        assertThat(ApplySchema.listType(ApplySchema.field(t, "merged"))).isEqualTo(ListType.MAP);
        assertThat(ApplySchema.keys(ApplySchema.field(t, "merged"))).containsExactly(new ApplySchema.KeyField("id", j("'x'")));
        assertThat(ApplySchema.listType(ApplySchema.field(t, "retained"))).isEqualTo(ListType.MAP);
        assertThat(ApplySchema.listType(ApplySchema.field(t, "set"))).isEqualTo(ListType.SET);
        assertThat(ApplySchema.listType(ApplySchema.field(t, "overridden"))).isEqualTo(ListType.ATOMIC);
        assertThat(ApplySchema.listType(ApplySchema.field(t, "plain"))).isEqualTo(ListType.ATOMIC);
        // unknown fields and untyped objects are deduced: objects by field, lists atomic
        assertThat(ApplySchema.field(t, "nope")).isEqualTo(ApplySchema.DEDUCED);
        assertThat(ApplySchema.field(t, "any")).isEqualTo(ApplySchema.DEDUCED);
        assertThat(ApplySchema.listType(ApplySchema.field(ApplySchema.field(t, "nope"), "l"))).isEqualTo(ListType.ATOMIC);
        assertThat(s.root(ResourceType.NODES)).isEqualTo(ApplySchema.DEDUCED);
    }
}
