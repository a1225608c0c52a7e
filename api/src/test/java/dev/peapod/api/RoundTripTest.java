package dev.peapod.api;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded property test: random valid pods survive print→parse unchanged, in YAML and in JSON, both as
 * written and after defaulting; and the defaulted pods pass validation. A failure names its seed.
 */
class RoundTripTest {
    private static final int PODS = 300;

    @Test
    void randomPodsSurviveYamlAndJson() {
        for (long seed = 0; seed < PODS; seed++) {
            Pod pod = RandomPods.pod(new Random(seed));
            assertRoundTrip(seed, pod);
        }
    }

    @Test
    void defaultedRandomPodsAreValidAndSurviveTheRoundTrip() {
        for (long seed = 0; seed < PODS; seed++) {
            Pod pod = RandomPods.pod(new Random(seed));
            PodDefaults.apply(pod);
            assertThat(PodValidator.validate(pod)).as("seed %d:%n%s", seed, Manifests.toYaml(pod)).isEmpty();
            assertRoundTrip(seed, pod);
        }
    }

    @Test
    void multiDocumentStreamsOfRandomPodsRoundTrip() {
        Random r = new Random(42);
        List<Pod> pods = List.of(RandomPods.pod(r), RandomPods.pod(r), RandomPods.pod(r));
        String stream = String.join("---\n", pods.stream().map(Manifests::toYaml).toList());
        assertThat(Manifests.parse(stream, "stream.yaml")).containsExactlyElementsOf(pods);
    }

    private static void assertRoundTrip(long seed, Pod pod) {
        String yaml = Manifests.toYaml(pod);
        assertThat(Manifests.parse(yaml, "seed-" + seed + ".yaml")).as("seed %d, YAML:%n%s", seed, yaml).containsExactly(pod);
        String json = Manifests.toJson(pod);
        assertThat(Manifests.parse(json, "seed-" + seed + ".json")).as("seed %d, JSON:%n%s", seed, json).containsExactly(pod);
    }
}
