package dev.peapod.node.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The cases of kubernetes third_party/forked/golang/expansion/expand_test.go
 * ({@code doExpansionTest}, {@code TestMapReference}), plus seeded random properties.
 */
class ExpansionTest {

    record Case(String name, String input, String expected) {
        @Override public String toString() { return name; }
    }

    static final Map<String, String> VARS = Map.of(
            "VAR_A", "A", "VAR_B", "B", "VAR_C", "C", "VAR_REF", "$(VAR_A)", "VAR_EMPTY", "");

    static List<Case> kubernetesCases() {
        return List.of(
                new Case("whole string", "$(VAR_A)", "A"),
                new Case("repeat", "$(VAR_A)-$(VAR_A)", "A-A"),
                new Case("beginning", "$(VAR_A)-1", "A-1"),
                new Case("middle", "___$(VAR_B)___", "___B___"),
                new Case("end", "___$(VAR_C)", "___C"),
                new Case("compound", "$(VAR_A)_$(VAR_B)_$(VAR_C)", "A_B_C"),
                new Case("escape & expand", "$$(VAR_B)_$(VAR_A)", "$(VAR_B)_A"),
                new Case("compound escape", "$$(VAR_A)_$$(VAR_B)", "$(VAR_A)_$(VAR_B)"),
                new Case("mixed in escapes", "f000-$$VAR_A", "f000-$VAR_A"),
                new Case("backslash escape ignored", "foo\\$(VAR_C)bar", "foo\\Cbar"),
                new Case("backslash escape ignored twice", "foo\\\\$(VAR_C)bar", "foo\\\\Cbar"),
                new Case("lots of backslashes", "foo\\\\\\\\$(VAR_A)bar", "foo\\\\\\\\Abar"),
                new Case("nested var references", "$(VAR_A$(VAR_B))", "$(VAR_A$(VAR_B))"),
                new Case("nested var references second type", "$(VAR_A$(VAR_B)", "$(VAR_A$(VAR_B)"),
                new Case("value is a reference", "$(VAR_REF)", "$(VAR_A)"),
                new Case("value is a reference x 2", "%%$(VAR_REF)--$(VAR_REF)%%", "%%$(VAR_A)--$(VAR_A)%%"),
                new Case("empty var", "foo$(VAR_EMPTY)bar", "foobar"),
                new Case("unterminated expression", "foo$(VAR_Awhoops!", "foo$(VAR_Awhoops!"),
                new Case("expression without operator", "f00__(VAR_A)__", "f00__(VAR_A)__"),
                new Case("shell special vars pass through", "$?_boo_$!", "$?_boo_$!"),
                new Case("bare operators are ignored", "$VAR_A", "$VAR_A"),
                new Case("undefined vars are passed through", "$(VAR_DNE)", "$(VAR_DNE)"),
                new Case("multiple (even) operators, var undefined", "$$$$$$(BIG_MONEY)", "$$$(BIG_MONEY)"),
                new Case("multiple (even) operators, var defined", "$$$$$$(VAR_A)", "$$$(VAR_A)"),
                new Case("multiple (odd) operators, var undefined", "$$$$$$$(GOOD_ODDS)", "$$$$(GOOD_ODDS)"),
                new Case("multiple (odd) operators, var defined", "$$$$$$$(VAR_A)", "$$$A"),
                new Case("missing open expression", "$VAR_A)", "$VAR_A)"),
                new Case("shell syntax ignored", "${VAR_A}", "${VAR_A}"),
                new Case("trailing incomplete expression not consumed", "$(VAR_B)_______$(A", "B_______$(A"),
                new Case("trailing incomplete expression, no content, is not consumed", "$(VAR_C)_______$(", "C_______$("),
                new Case("operator at end of input string is preserved", "$(VAR_A)foobarzab$", "Afoobarzab$"),
                new Case("shell escaped incomplete expr", "foo-\\$(VAR_A", "foo-\\$(VAR_A"),
                new Case("lots of $( in middle", "--$($($($($--", "--$($($($($--"),
                new Case("lots of $( in beginning", "$($($($($--foo$(", "$($($($($--foo$("),
                new Case("lots of $( at end", "foo0--$($($($(", "foo0--$($($($("),
                new Case("escaped operators in variable names are not escaped", "$(foo$$var)", "$(foo$$var)"),
                new Case("newline not expanded", "\n", "\n"),
                // Beyond the upstream table:
                new Case("empty input", "", ""),
                new Case("lone operator", "$", "$"),
                new Case("empty name is looked up and undefined", "$()", "$()"),
                new Case("non-ascii after operator", "$é$(VAR_A)", "$éA"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kubernetesCases")
    void expandsLikeKubernetes(Case c) {
        assertThat(Expansion.expand(c.input(), VARS)).isEqualTo(c.expected());
    }

    @Test
    void mappingOverTwoContextsBehavesTheSame() {
        // TestMappingDual: the lookup may span several maps; first match wins.
        Map<String, String> first = Map.of("VAR_A", "A", "VAR_EMPTY", "");
        Map<String, String> second = Map.of("VAR_B", "B", "VAR_C", "C", "VAR_REF", "$(VAR_A)");
        Function<String, String> mapping = name -> first.containsKey(name) ? first.get(name)
                : Expansion.mappingFor(second).apply(name);
        for (Case c : kubernetesCases()) {
            assertThat(Expansion.expand(c.input(), mapping)).as(c.name()).isEqualTo(c.expected());
        }
    }

    @Test
    void referencesResolveAgainstEarlierDefinitionsInOrder() {
        // TestMapReference: FOO=bar, ZOO=$(FOO)-1, BLU=$(ZOO)-2 -> bar, bar-1, bar-1-2
        var declared = new LinkedHashMap<String, String>();
        declared.put("FOO", "bar");
        declared.put("ZOO", "$(FOO)-1");
        declared.put("BLU", "$(ZOO)-2");
        var env = new HashMap<String, String>();
        declared.forEach((k, v) -> env.put(k, Expansion.expand(v, env)));

        assertThat(env).containsExactlyInAnyOrderEntriesOf(Map.of("FOO", "bar", "ZOO", "bar-1", "BLU", "bar-1-2"));
    }

    private static final char[] ALPHABET = {'$', '$', '$', '(', ')', 'A', 'b', '_', ' ', '\\', 'é'};

    private static String randomInput(Random random) {
        int n = random.nextInt(24);
        var sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        return sb.toString();
    }

    @Test
    void randomInputsNeverThrowWhateverTheMapping() {
        var random = new Random(20240611L);
        Map<String, String> everything = new HashMap<>();
        Function<String, String> defineAll = name -> everything.computeIfAbsent(name, k -> "<" + k.length() + ">");
        for (int i = 0; i < 20_000; i++) {
            String input = randomInput(random);
            assertThatCode(() -> {
                Expansion.expand(input, Map.of());
                Expansion.expand(input, defineAll);
                Expansion.expand(input, VARS);
            }).as(input).doesNotThrowAnyException();
        }
    }

    @Test
    void withNothingDefinedOnlyEscapingDollarsDisappear() {
        var random = new Random(7L);
        for (int i = 0; i < 20_000; i++) {
            String input = randomInput(random);
            String out = Expansion.expand(input, Map.of());
            long in$ = count(input), out$ = count(out);
            // Every "$$" pair loses one "$"; nothing else changes when no name is defined.
            assertThat(out.replace("$", "")).as(input).isEqualTo(input.replace("$", ""));
            assertThat(out$).as(input).isBetween((in$ + 1) / 2, in$);
        }
    }

    @Test
    void withoutParenthesesEachRunOfDollarsHalvesRoundingUp() {
        var random = new Random(99L);
        for (int i = 0; i < 20_000; i++) {
            String input = randomInput(random).replace("(", "x");
            assertThat(Expansion.expand(input, VARS)).as(input).isEqualTo(halveDollarRuns(input));
        }
    }

    /** Independent statement of the escape rule: a run of k "$" becomes ceil(k/2) of them. */
    private static String halveDollarRuns(String s) {
        var sb = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            if (s.charAt(i) != '$') {
                sb.append(s.charAt(i++));
                continue;
            }
            int j = i;
            while (j < s.length() && s.charAt(j) == '$') j++;
            sb.append("$".repeat((j - i + 1) / 2));
            i = j;
        }
        return sb.toString();
    }

    private static long count(String s) { return s.chars().filter(c -> c == '$').count(); }
}
