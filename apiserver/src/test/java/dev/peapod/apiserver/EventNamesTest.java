package dev.peapod.apiserver;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class EventNamesTest {
    @Test
    void namesCarryTheTimeInHexAndSortInTheOrderTheyWereMadeEvenWithinOneInstant() {
        Instant t = Instant.parse("2026-11-23T23:41:36.123456789Z");
        String first = EventNames.next("web", t);
        assertThat(first).isEqualTo("web." + Long.toHexString(t.getEpochSecond() * 1_000_000_000L + t.getNano()));
        var names = new ArrayList<String>();
        for (int i = 0; i < 100; i++) names.add(EventNames.next("web", t));
        names.add(EventNames.next("web", t.plusSeconds(1)));
        assertThat(names).doesNotHaveDuplicates().isSorted().allMatch(n -> n.compareTo(first) > 0);
    }
}
