package dev.peapod.node.restart;

import dev.peapod.node.restart.Reconcile.Adopt;
import dev.peapod.node.restart.Reconcile.Action;
import dev.peapod.node.restart.Reconcile.Clean;
import dev.peapod.node.restart.Reconcile.RecordedPod;
import dev.peapod.node.restart.Reconcile.Runtime;
import dev.peapod.node.restart.Reconcile.Start;
import dev.peapod.node.restart.Reconcile.StoredPod;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ReconcileTest {
    private static final StoredPod WANTED = new StoredPod("a", true);
    private static final StoredPod DELETING = new StoredPod("a", false);
    private static final RecordedPod RECORDED = new RecordedPod("a", "sb", List.of("c1", "c2"));

    static Stream<Arguments> cases() {
        return Stream.of(
                // name, stored, recorded, runtime known, exit files, expected
                Arguments.of("nothing anywhere", List.of(), List.of(), Set.of(), Set.of(), List.of()),
                Arguments.of("a new pod starts", List.of(WANTED), List.of(), Set.of(), Set.of(), List.of(new Start("a", false))),
                Arguments.of("all still running: adopted", List.of(WANTED), List.of(RECORDED), Set.of("sb", "c1", "c2"), Set.of(),
                        List.of(new Adopt("a"))),
                Arguments.of("a container exited while serve was down: adopted, its exit file read",
                        List.of(WANTED), List.of(RECORDED), Set.of("sb", "c1"), Set.of("c2"), List.of(new Adopt("a"))),
                Arguments.of("the infra exited: adopted, the pod's planner replaces the sandbox",
                        List.of(WANTED), List.of(RECORDED), Set.of("c1", "c2"), Set.of("sb"), List.of(new Adopt("a"))),
                Arguments.of("a container the runtime forgot (no exit file): started anew after cleaning",
                        List.of(WANTED), List.of(RECORDED), Set.of("sb", "c1"), Set.of(), List.of(new Start("a", true))),
                Arguments.of("sandbox gone (reboot): started anew after cleaning",
                        List.of(WANTED), List.of(RECORDED), Set.of("c1", "c2"), Set.of(), List.of(new Start("a", true))),
                Arguments.of("no sandbox recorded: started anew", List.of(WANTED), List.of(new RecordedPod("a", null, List.of())),
                        Set.of(), Set.of(), List.of(new Start("a", true))),
                Arguments.of("the sandbox's creation began but was never recorded as done: started anew after cleaning, "
                                + "even though the infra runs", List.of(WANTED),
                        List.of(new RecordedPod("a", "sb", List.of(), false)), Set.of("sb"), Set.of(), List.of(new Start("a", true))),
                Arguments.of("the same, no longer wanted: cleaned", List.of(DELETING),
                        List.of(new RecordedPod("a", "sb", List.of(), false)), Set.of("sb"), Set.of(), List.of(new Clean("a"))),
                Arguments.of("being deleted: cleaned, even though it runs", List.of(DELETING), List.of(RECORDED),
                        Set.of("sb", "c1", "c2"), Set.of(), List.of(new Clean("a"))),
                Arguments.of("being deleted and nothing recorded: nothing to do", List.of(DELETING), List.of(), Set.of(), Set.of(),
                        List.of()),
                Arguments.of("recorded, gone from the store: cleaned", List.of(), List.of(RECORDED), Set.of("sb", "c1", "c2"),
                        Set.of(), List.of(new Clean("a"))),
                Arguments.of("mixed: store order, then leftovers",
                        List.of(new StoredPod("n", true), WANTED),
                        List.of(new RecordedPod("x", "sbx", List.of()), RECORDED),
                        Set.of("sb", "c1", "c2", "sbx"), Set.of(),
                        List.of(new Start("n", false), new Adopt("a"), new Clean("x"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void plans(String name, List<StoredPod> stored, List<RecordedPod> recorded, Set<String> known, Set<String> exitFiles,
               List<Action> expected) {
        assertThat(Reconcile.plan(stored, recorded, new Runtime(known, exitFiles))).isEqualTo(expected);
    }
}
