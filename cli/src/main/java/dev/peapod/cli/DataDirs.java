package dev.peapod.cli;

import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.io.File;
import java.nio.file.Path;

/**
 * {@code --data-dir} given before the subcommand ({@code peapod --data-dir /x up pod.yaml}) reaches
 * the subcommand that touches state, unless that subcommand was given its own. picocli's inherited
 * options cannot do this: a subcommand that declares {@code --data-dir} itself (as {@code up} does,
 * with annotations) would clash with the inherited copy.
 */
final class DataDirs {
    private DataDirs() {}

    static void propagate(ParseResult root) {
        OptionSpec given = root.matchedOption(Specs.DATA_DIR);
        if (given == null) return;
        String dir = given.stringValues().getFirst();
        for (var level = root.subcommand(); level != null; level = level.subcommand()) {
            OptionSpec own = level.commandSpec().findOption(Specs.DATA_DIR);
            if (own == null || level.hasMatchedOption(Specs.DATA_DIR)) continue;
            own.setValue(convert(dir, own.type()));
        }
    }

    private static Object convert(String dir, Class<?> type) {
        if (type == Path.class) return Path.of(dir);
        if (type == File.class) return new File(dir);
        return dir;
    }
}
