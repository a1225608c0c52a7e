package dev.peapod.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.nio.file.Path;
import java.util.List;

/**
 * Builders for picocli's programmatic model. Peapod's own commands describe themselves with these
 * instead of annotations: reading annotations makes the JDK generate a proxy class per annotation
 * type at run time (several ms each, never in the AOT cache): about 40 ms of a 113 ms
 * {@code peapod --version}, measured. Programmatic specs cost nothing of the kind.
 */
final class Specs {
    static final String DATA_DIR = "--data-dir";
    static final String DEFAULT_DATA_DIR = "/var/lib/peapod";

    private Specs() {}

    /** A command whose execution calls {@code command}; with {@code -h, --help}. */
    static CommandSpec command(Object command, String name, String... description) {
        var spec = CommandSpec.wrapWithoutInspection(command).name(name);
        spec.usageMessage().description(description);
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
        return spec;
    }

    static OptionSpec flag(String description, String... names) {
        return OptionSpec.builder(names).type(boolean.class).arity("0").defaultValue("false").description(description).build();
    }

    /** {@code --data-dir DIR}: every subcommand that reads or writes peapod's state takes it. */
    static OptionSpec dataDir() {
        return OptionSpec.builder(DATA_DIR).type(Path.class).paramLabel("DIR").defaultValue(DEFAULT_DATA_DIR)
                .description("State directory (default: ${DEFAULT-VALUE}).").build();
    }

    /** One or more positional parameters, as a {@code List<element>}. */
    static PositionalParamSpec atLeastOne(Class<?> element, String label, String description) {
        return PositionalParamSpec.builder().type(List.class).auxiliaryTypes(element).arity("1..*")
                .paramLabel(label).description(description).build();
    }

    static <T> T value(CommandSpec spec, String option) {
        return spec.findOption(option).getValue();
    }

    static <T> List<T> positionals(CommandSpec spec) {
        return spec.positionalParameters().getFirst().getValue();
    }
}
