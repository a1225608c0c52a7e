package dev.peapod.node.gc;

import dev.peapod.node.gc.ImageGcPlanner.Candidate;
import dev.peapod.node.gc.ImageGcPlanner.Disk;
import dev.peapod.node.gc.ImageGcPlanner.Plan;
import dev.peapod.node.gc.ImageGcPlanner.Policy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The image GC decision from a table (kubelet's image_gc_manager_test.go cases, in our terms): one
 * base fixture — a 1000-byte disk 90 % full, four unused images of 30 bytes used an hour ago or
 * more — small mutations, the expected plan.
 */
class ImageGcPlannerTest {
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    record Fixture(List<Candidate> images, Disk disk, Policy policy) {
        Fixture with(UnaryOperator<List<Candidate>> f) { return new Fixture(f.apply(new ArrayList<>(images)), disk, policy); }
        Fixture disk(long capacity, long available) { return new Fixture(images, new Disk(capacity, available), policy); }
        Fixture policy(Policy p) { return new Fixture(images, disk, p); }
    }

    static Candidate image(String id, long size, Duration ago, boolean inUse) {
        return new Candidate(id, size, NOW.minus(ago), inUse);
    }

    static final Fixture BASE = new Fixture(List.of(
            image("b-2h", 30, Duration.ofHours(2), false),
            image("a-1h", 30, Duration.ofHours(1), false),
            image("d-3h", 30, Duration.ofHours(3), false),
            image("c-4h", 30, Duration.ofHours(4), false)),
            new Disk(1000, 100), Policy.DEFAULT);

    record Case(String name, Fixture fixture, int usage, long toFree, List<String> delete, boolean insufficient) {
        @Override public String toString() { return name; }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("90 % full frees down to 80 %, least recently used first", BASE, 90, 100,
                        List.of("c-4h", "d-3h", "b-2h", "a-1h"), false),
                new Case("just at the high threshold collects", BASE.disk(1000, 150), 85, 50, List.of("c-4h", "d-3h"), false),
                new Case("just under the high threshold does nothing", BASE.disk(1000, 160), 84, 0, List.of(), false),
                new Case("usage is truncated like kubelet's integer division", BASE.disk(1000, 159), 85, 41,
                        List.of("c-4h", "d-3h"), false),
                new Case("images in use are never removed", BASE.with(l -> {
                            l.set(3, image("c-4h", 30, Duration.ofHours(4), true));
                            return l;
                        }), 90, 100, List.of("d-3h", "b-2h", "a-1h"), true),
                new Case("images used within the minimum age are spared", BASE.with(l -> {
                            l.add(image("fresh", 500, Duration.ofSeconds(119), false));
                            l.add(image("just-old-enough", 500, Duration.ofMinutes(2), false));
                            return l;
                        }).disk(1000, 10), 99, 190, List.of("c-4h", "d-3h", "b-2h", "a-1h", "just-old-enough"), false),
                new Case("stops as soon as enough is planned", BASE.with(l -> {
                            l.add(image("huge-5h", 400, Duration.ofHours(5), false));
                            return l;
                        }), 90, 100, List.of("huge-5h"), false),
                new Case("not enough eligible is reported", BASE.disk(1000, 10), 99, 190,
                        List.of("c-4h", "d-3h", "b-2h", "a-1h"), true),
                new Case("a high threshold of 100 disables collection", BASE.policy(new Policy(100, 80, Duration.ZERO))
                        .disk(1000, 0), 100, 0, List.of(), false),
                new Case("available above capacity counts as empty", BASE.disk(1000, 5000), 0, 0, List.of(), false),
                new Case("ties in last use go by id", BASE.with(l -> List.of(
                        image("z", 60, Duration.ofHours(1), false), image("y", 60, Duration.ofHours(1), false))),
                        90, 100, List.of("y", "z"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void plans(Case c) {
        Plan plan = ImageGcPlanner.plan(c.fixture().images(), c.fixture().disk(), c.fixture().policy(), NOW);
        assertThat(plan.usagePercent()).as("usage").isEqualTo(c.usage());
        assertThat(plan.toFree()).as("to free").isEqualTo(c.toFree());
        assertThat(plan.delete()).as("delete").isEqualTo(c.delete());
        assertThat(plan.insufficient()).as("insufficient").isEqualTo(c.insufficient());
    }

    @Test
    void policiesAreValidatedLikeKubeletsConfig() {
        assertThatThrownBy(() -> new Policy(80, 80, Duration.ZERO)).hasMessageContaining("must be less than the high threshold");
        assertThatThrownBy(() -> new Policy(101, 80, Duration.ZERO)).hasMessageContaining("between 0 and 100");
        assertThatThrownBy(() -> ImageGcPlanner.plan(List.of(), new Disk(0, 0), Policy.DEFAULT, NOW))
                .hasMessageContaining("invalid capacity 0");
    }
}
