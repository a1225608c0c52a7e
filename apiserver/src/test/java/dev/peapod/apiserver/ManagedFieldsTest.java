package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.apiserver.FieldSet.Path;
import dev.peapod.apiserver.ManagedFields.Entry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** FieldSet's FieldsV1 form, the structured-merge-diff operations and the apply/update ownership rules, pure. */
class ManagedFieldsTest {
    static JsonNode j(String json) { return Json.parse(json.replace('\'', '"')); }

    static final ApplySchema.Type POD_TYPE = ApplySchema.served().root(ResourceType.PODS);
    static final ApplySchema.Type CM_TYPE = ApplySchema.served().root(ResourceType.CONFIGMAPS);

    static final String POD = "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','labels':{'app':'a'}},"
            + "'spec':{'containers':[{'name':'c','image':'i:1','ports':[{'containerPort':80}],'env':[{'name':'A','value':'1'}],"
            + "'args':['x','y']}],'nodeSelector':{'k':'v'}}}";

    @Test
    void fieldsV1HasTheRealEncodingAndReadsBack() {
        FieldSet set = ObjectFields.fieldsOf(j(POD), POD_TYPE);
        JsonNode v1 = set.toFieldsV1();
        assertThat(v1).isEqualTo(j("{'f:apiVersion':{},'f:kind':{},'f:metadata':{'f:labels':{'f:app':{}},'f:name':{}},"
                + "'f:spec':{'f:containers':{'k:{\\'name\\':\\'c\\'}':{'.':{},'f:args':{},'f:env':{'k:{\\'name\\':\\'A\\'}':{'.':{},'f:name':{},'f:value':{}}},"
                + "'f:image':{},'f:name':{},'f:ports':{'k:{\\'containerPort\\':80,\\'protocol\\':\\'TCP\\'}':{'.':{},'f:containerPort':{}}}}},"
                + "'f:nodeSelector':{}}}"));
        assertThat(FieldSet.fromFieldsV1(v1)).isEqualTo(set);
        assertThat(Json.write(v1)).contains("\"k:{\\\"containerPort\\\":80,\\\"protocol\\\":\\\"TCP\\\"}\"");
    }

    @Test
    void pathsPrintAsConflictsShowThem() {
        assertThat(Path.of("f:spec", "f:containers", "k:{\"name\":\"c\"}", "f:image")).hasToString(".spec.containers[name=\"c\"].image");
        assertThat(Path.of("f:spec", "f:containers", "k:{\"containerPort\":80,\"protocol\":\"TCP\"}")).hasToString(".spec.containers[containerPort=80,protocol=\"TCP\"]");
        assertThat(Path.of("f:metadata", "f:finalizers", "v:\"x\"")).hasToString(".metadata.finalizers[=\"x\"]");
    }

    @Test
    void compareReportsAddedSubtreesModifiedLeavesAndRemovals() {
        var cmp = ObjectFields.compare(j("{'data':{'a':'1','b':'2'},'l':[1]}"), j("{'data':{'a':'9','c':'3'},'m':{'x':{}},'l':[2]}"), CM_TYPE);
        assertThat(cmp.added().paths()).containsExactlyInAnyOrder(Path.fields("data", "c"), Path.fields("m"), Path.fields("m", "x"));
        assertThat(cmp.modified().paths()).containsExactlyInAnyOrder(Path.fields("data", "a"), Path.fields("l"));
        assertThat(cmp.removed().paths()).containsExactly(Path.fields("data", "b"));
    }

    @Test
    void mergeMergesKeyedListsByKeyAndReplacesAtomicOnes() {
        JsonNode live = j("{'spec':{'containers':[{'name':'a','image':'1','args':['x']},{'name':'b','image':'2'}]},'metadata':{'finalizers':['f1']}}");
        JsonNode merged = ObjectFields.merge(live, j("{'spec':{'containers':[{'name':'b','image':'3'},{'name':'c','image':'4'},{'name':'a','args':['y']}]},'metadata':{'finalizers':['f2']}}"), POD_TYPE);
        assertThat(merged).isEqualTo(j("{'spec':{'containers':[{'name':'a','image':'1','args':['y']},{'name':'b','image':'3'},{'name':'c','image':'4'}]},"
                + "'metadata':{'finalizers':['f1','f2']}}"));
    }

    @Test
    void createUpdateEntryHasDotsForNewMapsAndAListItems() {
        var entries = ManagedFields.update(List.of(), ManagedFields.nothing(ResourceType.CONFIGMAPS),
                j("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','namespace':'d','labels':{'x':'y'}},'data':{'k':'v'}}"),
                ResourceType.CONFIGMAPS, "kubectl-create", "");
        assertThat(entries).hasSize(1);
        assertThat(entries.getFirst().fields().toFieldsV1()).isEqualTo(j("{'f:data':{'.':{},'f:k':{}},'f:metadata':{'f:labels':{'.':{},'f:x':{}}}}"));
    }

    @Test
    void podStatusIsNotOwnedByTheObjectsWriters() {
        var entries = ManagedFields.update(List.of(), ManagedFields.nothing(ResourceType.PODS),
                j("{'metadata':{'name':'p'},'spec':{'containers':[{'name':'c','image':'i'}]},'status':{'phase':'Pending'}}"), ResourceType.PODS, "m", "");
        assertThat(entries.getFirst().fields().toFieldsV1()).isEqualTo(j("{'f:spec':{'f:containers':{'k:{\\'name\\':\\'c\\'}':{'.':{},'f:image':{},'f:name':{}}}}}"));
    }

    @Test
    void aStatusWriteIsTheKubeletsUpdateOfTheStatusSubresource() {
        ObjectNode live = ManagedFields.withEntries((ObjectNode) j("{'metadata':{'name':'p'},'spec':{'containers':[]},'status':{'phase':'Pending'}}"),
                List.of(new Entry("kubectl", "Apply", "v1", "t0", "", FieldSet.of(Path.fields("spec", "nodeName")))));
        ObjectNode next = live.deepCopy();
        next.set("status", j("{'phase':'Running','podIP':'10.0.0.2'}"));
        ObjectNode written = StatusFields.podStatusWritten(live, next, "kubelet", java.time.Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(written.at("/metadata/managedFields")).isEqualTo(j("[{'manager':'kubectl','operation':'Apply','apiVersion':'v1','time':'t0',"
                + "'fieldsType':'FieldsV1','fieldsV1':{'f:spec':{'f:nodeName':{}}}},"
                + "{'manager':'kubelet','operation':'Update','apiVersion':'v1','time':'2026-01-02T03:04:05Z','fieldsType':'FieldsV1',"
                + "'fieldsV1':{'f:status':{'f:phase':{},'f:podIP':{}}},'subresource':'status'}]"));
    }

    @Test
    void moreThanTenUpdatersMergeTheOldestIntoAncientChanges() {
        var entries = new ArrayList<Entry>();
        entries.add(new Entry("applier", "Apply", "v1", "2026-01-01T00:00:00Z", "", FieldSet.of(Path.fields("data", "a"))));
        for (int i = 0; i < 12; i++) {
            entries.add(new Entry("m" + i, "Update", "v1", "2026-01-01T00:00:%02dZ".formatted(i), "", FieldSet.of(Path.fields("data", "k" + i))));
        }
        var capped = ManagedFields.cap(entries);
        assertThat(capped.stream().filter(e -> e.operation().equals("Update"))).hasSize(10);
        assertThat(capped).extracting(Entry::manager).contains("applier", "m11", "m3", ManagedFields.ANCIENT).doesNotContain("m0", "m1", "m2");
        Entry ancient = capped.stream().filter(e -> e.manager().equals(ManagedFields.ANCIENT)).findFirst().orElseThrow();
        assertThat(ancient.fields()).isEqualTo(FieldSet.of(Path.fields("data", "k0"), Path.fields("data", "k1"), Path.fields("data", "k2")));
        assertThat(ancient.time()).isEqualTo("2026-01-01T00:00:02Z");
        assertThat(ManagedFields.cap(capped)).isEqualTo(capped);
        // one more updater: the oldest joins the bucket
        var more = new ArrayList<>(capped);
        more.add(new Entry("m12", "Update", "v1", "2026-01-01T00:01:00Z", "", FieldSet.of(Path.fields("data", "k12"))));
        var again = ManagedFields.cap(more);
        assertThat(again.stream().filter(e -> e.operation().equals("Update"))).hasSize(10);
        assertThat(again).extracting(Entry::manager).doesNotContain("m3");
    }

    static final String CM = "{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','labels':{'a':'1','b':'2'}},'data':{'k':'v'}}";

    @Test
    void anotherManagersChangedFieldIsAConflictUnlessForced() {
        var applied = ManagedFields.apply(List.of(), Json.object(), j(CM), ResourceType.CONFIGMAPS, "kubectl", "", false);
        JsonNode live = applied.object();
        // kubectl label a=9 --overwrite: an Update that takes .metadata.labels.a.
        JsonNode relabelled = ObjectFields.merge(live, j("{'metadata':{'labels':{'a':'9'}}}"), CM_TYPE);
        var entries = ManagedFields.update(applied.entries(), live, relabelled, ResourceType.CONFIGMAPS, "kubectl-label", "");
        assertThat(entries).extracting(Entry::manager).containsExactly("kubectl", "kubectl-label");
        assertThat(entries.getFirst().fields().contains(Path.fields("metadata", "labels", "a"))).isFalse();
        assertThatThrownBy(() -> ManagedFields.apply(entries, relabelled, j(CM), ResourceType.CONFIGMAPS, "kubectl", "", false))
                .isInstanceOfSatisfying(ManagedFields.ConflictException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("Apply failed with 1 conflict: conflict with \"kubectl-label\" using v1: .metadata.labels.a");
                    assertThat(e.conflicts).hasSize(1);
                });
        var forced = ManagedFields.apply(entries, relabelled, j(CM), ResourceType.CONFIGMAPS, "kubectl", "", true);
        assertThat(forced.object().at("/metadata/labels/a").asText()).isEqualTo("1");
        assertThat(forced.entries()).extracting(Entry::manager).containsExactly("kubectl"); // kubectl-label owned nothing else
        // Same value: shared ownership, no conflict.
        var same = ManagedFields.apply(entries, relabelled, j("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','labels':{'a':'9','b':'2'}},'data':{'k':'v'}}"),
                ResourceType.CONFIGMAPS, "kubectl", "", false);
        assertThat(same.entries()).extracting(Entry::manager).containsExactly("kubectl-label", "kubectl");
    }

    @Test
    void severalConflictsAreGroupedByManager() {
        var e1 = new Entry("x", "Update", "v1", null, "", FieldSet.of(Path.fields("data", "a"), Path.fields("data", "b")));
        var e2 = new Entry("y", "Apply", "v1", null, "", FieldSet.of(Path.fields("data", "c")));
        assertThatThrownBy(() -> ManagedFields.apply(List.of(e1, e2), j("{'data':{'a':'1','b':'1','c':'1'}}"),
                j("{'apiVersion':'v1','kind':'ConfigMap','data':{'a':'2','b':'2','c':'2'}}"), ResourceType.CONFIGMAPS, "z", "", false))
                .hasMessage("Apply failed with 3 conflicts: conflicts with \"x\" using v1:\n- .data.a\n- .data.b\nconflicts with \"y\":\n- .data.c");
    }

    @Test
    void fieldsNoLongerAppliedAreRemovedUnlessSomeoneElseOwnsThem() {
        var first = ManagedFields.apply(List.of(), Json.object(), j(CM), ResourceType.CONFIGMAPS, "kubectl", "", false);
        // another manager also sets b (same value: shared)
        var shared = ManagedFields.apply(first.entries(), first.object(), j("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','labels':{'b':'2'}}}"),
                ResourceType.CONFIGMAPS, "other", "", false);
        var second = ManagedFields.apply(shared.entries(), shared.object(), j("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c'}}"),
                ResourceType.CONFIGMAPS, "kubectl", "", false);
        assertThat(second.object().at("/metadata/labels")).isEqualTo(j("{'b':'2'}"));
        assertThat(second.object().has("data")).isFalse();
        // kubectl now applies nothing it can own (name, kind, apiVersion are nobody's): its entry goes.
        assertThat(second.entries()).extracting(Entry::manager).containsExactly("other");
    }

    @Test
    void aResetRequestClearsAndAnEmptyListKeeps() {
        JsonNode live = ManagedFields.withEntries((ObjectNode) j("{'metadata':{}}"),
                List.of(new Entry("m", "Update", "v1", "t", "", FieldSet.of(Path.fields("data")))));
        assertThat(ManagedFields.before(live, j("{'metadata':{'managedFields':[{}]}}"))).isEmpty();
        assertThat(ManagedFields.before(live, j("{'metadata':{'managedFields':[]}}"))).hasSize(1);
        assertThat(ManagedFields.before(live, j("{'metadata':{}}"))).hasSize(1);
        assertThat(ManagedFields.before(live, j("{'metadata':{'managedFields':[{'manager':'n','operation':'Update','fieldsV1':{'f:x':{}}}]}}")))
                .extracting(Entry::manager).containsExactly("n");
    }

    /** Seeded random configurations: applying then applying again changes neither the object nor the entries. */
    @Test
    void reapplyingIsANoOp() {
        for (long seed = 0; seed < 300; seed++) {
            Random r = new Random(seed);
            var entries = new ArrayList<Entry>();
            JsonNode live = Json.object();
            // a few managers apply and update in turn (forced, so that nobody is refused)
            for (int step = 0; step < 4; step++) {
                JsonNode config = randomConfig(r);
                var a = ManagedFields.apply(entries, live, config, ResourceType.PODS, "m" + r.nextInt(3), "", true);
                entries = new ArrayList<>(a.entries());
                live = a.object();
                if (r.nextBoolean()) {
                    JsonNode updated = ObjectFields.merge(live, randomConfig(r), POD_TYPE);
                    entries = new ArrayList<>(ManagedFields.update(entries, live, updated, ResourceType.PODS, "u", ""));
                    live = updated;
                }
                String manager = "m" + r.nextInt(3);
                JsonNode again = randomConfig(r);
                var once = ManagedFields.apply(entries, live, again, ResourceType.PODS, manager, "", true);
                var twice = ManagedFields.apply(once.entries(), once.object(), again, ResourceType.PODS, manager, "", false);
                assertThat(twice.object()).as("seed %d", seed).isEqualTo(once.object());
                assertThat(twice.entries()).as("seed %d", seed).containsExactlyInAnyOrderElementsOf(once.entries());
                // the applied values are in the object
                for (Path p : ObjectFields.fieldsOf(again, POD_TYPE).paths()) {
                    assertThat(ObjectFields.find(once.object(), POD_TYPE, p)).as("seed %d %s", seed, p).isNotNull();
                }
                // and the encoding round trips
                for (Entry e : twice.entries()) assertThat(FieldSet.fromFieldsV1(e.fields().toFieldsV1())).isEqualTo(e.fields());
            }
        }
    }

    private static JsonNode randomConfig(Random r) {
        ObjectNode o = Json.object().put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode meta = o.putObject("metadata").put("name", "p");
        if (r.nextBoolean()) {
            ObjectNode labels = meta.putObject("labels");
            for (int i = r.nextInt(4); i > 0; i--) labels.put("l" + r.nextInt(4), "v" + r.nextInt(2));
        }
        if (r.nextBoolean()) {
            var fin = meta.putArray("finalizers");
            for (int i = r.nextInt(3); i > 0; i--) {
                String f = "f" + r.nextInt(3);
                boolean dup = false;
                for (JsonNode x : fin) dup |= x.asText().equals(f);
                if (!dup) fin.add(f);
            }
        }
        ObjectNode spec = o.putObject("spec");
        if (r.nextBoolean()) {
            var containers = spec.putArray("containers");
            for (int i = 0; i < r.nextInt(3); i++) {
                ObjectNode c = containers.addObject().put("name", "c" + i);
                if (r.nextBoolean()) c.put("image", "img" + r.nextInt(2));
                if (r.nextBoolean()) c.putArray("args").add("a" + r.nextInt(2));
                if (r.nextBoolean()) c.putArray("env").addObject().put("name", "E" + r.nextInt(2)).put("value", "x" + r.nextInt(2));
            }
        }
        if (r.nextBoolean()) spec.putObject("nodeSelector").put("k", "v" + r.nextInt(2));
        return o;
    }
}
