package dev.peapod.apiserver;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class EventNamesTest {
    @Test
    void namesCarryTheTimeInHexAndSortInTheOrderTheyWereMadeEvenWithinOneInstant() {
        var names = new EventNames();
        Instant t = Instant.parse("2026-11-23T23:41:36.123456789Z");
        String first = names.name("web", t);
        assertThat(first).isEqualTo("web." + Long.toHexString(t.getEpochSecond() * 1_000_000_000L + t.getNano()));
        var made = new ArrayList<String>();
        for (int i = 0; i < 100; i++) made.add(names.name("web", t));
        made.add(names.name("web", t.plusSeconds(1)));
        assertThat(made).doesNotHaveDuplicates().isSorted().allMatch(n -> n.compareTo(first) > 0);
    }
}
