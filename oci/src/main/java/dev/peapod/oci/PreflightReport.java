package dev.peapod.oci;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What {@link HostPreflight} found.
 *
 * @param problems what still keeps Peapod from running containers
 * @param applied  fixes that were applied, one sentence each
 * @param failures fixes that were tried and failed ("failed to VERB OBJECT: CAUSE")
 */
public record PreflightReport(List<HostProblem> problems, List<String> applied, List<String> failures) {
    public PreflightReport {
        problems = List.copyOf(problems);
        applied = List.copyOf(applied);
        failures = List.copyOf(failures);
    }

    public boolean ok() { return problems.isEmpty(); }

    /** One line per problem with its fix, for the CLI and for exceptions. */
    public String describe() {
        return problems.stream().map(p -> "- " + p.message() + "; fix: " + p.fix()).collect(Collectors.joining("\n"));
    }
}
