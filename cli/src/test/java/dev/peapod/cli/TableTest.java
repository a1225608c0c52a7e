package dev.peapod.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableTest {

    @Test
    void columnsAlignWithTwoSpacesAndNoTrailingBlanks() {
        var table = new Table("A", "LONG HEADER", "C").row("wide value", "x", "").row("", "", "last");
        assertThat(table.render()).isEqualTo("""
                A           LONG HEADER  C
                wide value  x
                                         last
                """);
    }

    @Test
    void aRowOfTheWrongWidthIsRejected() {
        assertThatThrownBy(() -> new Table("A", "B").row("only one")).isInstanceOf(IllegalArgumentException.class);
    }
}
