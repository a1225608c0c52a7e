package dev.peapod.node.spec;

import java.util.Map;
import java.util.function.Function;

/**
 * Kubernetes' {@code $(VAR)} expansion, as used for env values, command, args and subPathExpr
 * (https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/;
 * semantics of kubernetes third_party/forked/golang/expansion/expand.go):
 * <ul>
 *   <li>{@code $(NAME)} is replaced by NAME's value when the mapping knows NAME, otherwise left as is;</li>
 *   <li>{@code $$} is an escaped {@code $} and becomes one {@code $};</li>
 *   <li>an unterminated {@code $(} is copied as is, and so is {@code $} followed by anything else
 *       (shell syntax such as {@code $VAR} or {@code ${VAR}} is not expanded);</li>
 *   <li>a {@code $} at the end of the input is kept; nothing is expanded recursively.</li>
 * </ul>
 * Pure and total: never throws for any input.
 */
public final class Expansion {
    private Expansion() {}

    private static final char OPERATOR = '$';
    private static final char OPENER = '(';
    private static final char CLOSER = ')';

    /**
     * A mapping that looks NAME up in {@code vars} and, when absent, returns the reference
     * unchanged ({@code $(NAME)}), like kubelet's {@code MappingFuncFor}.
     */
    public static Function<String, String> mappingFor(Map<String, String> vars) {
        return name -> {
            String value = vars.get(name);
            return value != null ? value : OPERATOR + "" + OPENER + name + CLOSER;
        };
    }

    /** Expands {@code input} with a mapping from {@link #mappingFor}. */
    public static String expand(String input, Map<String, String> vars) {
        return expand(input, mappingFor(vars));
    }

    /** Expands {@code input}; {@code mapping} receives each referenced name. */
    public static String expand(String input, Function<String, String> mapping) {
        if (input.indexOf(OPERATOR) < 0) return input;
        var out = new StringBuilder(input.length());
        int checkpoint = 0;
        for (int cursor = 0; cursor < input.length(); cursor++) {
            if (input.charAt(cursor) != OPERATOR || cursor + 1 >= input.length()) continue;
            out.append(input, checkpoint, cursor);
            char next = input.charAt(cursor + 1);
            int consumed;
            if (next == OPERATOR) {
                out.append(OPERATOR);                      // "$$" -> "$"
                consumed = 1;
            } else if (next == OPENER) {
                int close = input.indexOf(CLOSER, cursor + 2);
                if (close >= 0) {
                    out.append(mapping.apply(input.substring(cursor + 2, close)));
                    consumed = close - cursor;
                } else {
                    out.append(OPERATOR).append(OPENER);   // unterminated "$(": copied, scan goes on after it
                    consumed = 1;
                }
            } else {
                out.append(OPERATOR).append(next);         // "$x": not an expression
                consumed = 1;
            }
            cursor += consumed;
            checkpoint = cursor + 1;
        }
        return out.append(input, checkpoint, input.length()).toString();
    }
}
