package dev.peapod.cli;

import dev.peapod.api.FieldError;
import dev.peapod.api.LintFinding;
import dev.peapod.api.ManifestException;
import dev.peapod.api.Manifests;
import dev.peapod.api.PodDefaults;
import dev.peapod.api.PodLinter;
import dev.peapod.api.PodValidator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code peapod lint FILE…}: the design findings of {@link PodLinter} for the pods in the manifests,
 * each with its code, field path and a one-line fix; {@code --format json} for tools. The pods of all
 * files are taken to run together on this host (host ports are compared across them).
 *
 * <p>Exit status: 0 when nothing or only {@code info} findings were found, 1 when a {@code warning}
 * was, 2 when a manifest cannot be read or is invalid (the same errors {@code peapod up} refuses with).
 */
final class LintCommand implements Callable<Integer> {
    static final String DESCRIPTION = "Explain design mistakes in pod manifests, with the field and a fix.";
    final CommandSpec spec = Specs.command(this, "lint", DESCRIPTION);

    LintCommand() {
        spec.addOption(OptionSpec.builder("--format").type(String.class).paramLabel("FORMAT").defaultValue("text")
                .completionCandidates(List.of("text", "json")).description("text (default) or json.").build());
        spec.addPositional(Specs.atLeastOne(Path.class, "FILE", "Manifests (YAML or JSON, multi-document)."));
    }

    /** A finding with the file its pod came from. */
    record Located(Path file, LintFinding finding) {}

    @Override
    public Integer call() {
        String format = Specs.<String>value(spec, "--format").toLowerCase(Locale.ROOT);
        if (!format.equals("text") && !format.equals("json")) {
            throw new IllegalArgumentException("--format: unsupported value \"" + format + "\" (text, json)");
        }
        var pods = new ArrayList<Pod>();
        var fileOf = new IdentityHashMap<Pod, Path>();
        var problems = new ArrayList<String>();
        for (Path f : Specs.<Path>positionals(spec)) {
            List<HasMetadata> objects;
            try {
                objects = Manifests.parseFile(f);
            } catch (ManifestException e) {
                problems.add(e.getMessage());
                continue;
            }
            for (HasMetadata o : objects) {
                if (!(o instanceof Pod p)) continue;
                PodDefaults.apply(p);
                for (FieldError err : PodValidator.validate(p)) {
                    problems.add(f + ": Pod \"" + p.getMetadata().getName() + "\" is invalid: " + err);
                }
                pods.add(p);
                fileOf.put(p, f);
            }
        }
        var err = spec.commandLine().getErr();
        if (!problems.isEmpty()) {
            problems.forEach(p -> err.println("Error: " + p));
            err.flush();
            return Main.USAGE;
        }
        var perPod = PodLinter.lintEach(pods);
        var located = new ArrayList<Located>();
        for (int i = 0; i < pods.size(); i++) {
            for (LintFinding f : perPod.get(i)) located.add(new Located(fileOf.get(pods.get(i)), f));
        }
        var out = spec.commandLine().getOut();
        if (format.equals("json")) out.println(json(located));
        else text(located, pods.size(), out);
        out.flush();
        return located.stream().anyMatch(l -> l.finding().severity() == LintFinding.Severity.WARNING) ? Main.FAILURE : Main.OK;
    }

    /** {@code FILE: Pod "NAME": warning PEA001 PATH: MESSAGE} and an indented fix line per finding, then a summary. */
    static void text(List<Located> located, int pods, PrintWriter out) {
        for (Located l : located) {
            out.println(line(l.file(), l.finding()));
            out.println("    fix: " + l.finding().fix());
        }
        long warnings = located.stream().filter(l -> l.finding().severity() == LintFinding.Severity.WARNING).count();
        out.println(located.isEmpty() ? "No findings in " + pods + (pods == 1 ? " pod." : " pods.")
                : located.size() + (located.size() == 1 ? " finding" : " findings") + " (" + warnings + " warning"
                        + (warnings == 1 ? "" : "s") + ", " + (located.size() - warnings) + " info) in " + pods + (pods == 1 ? " pod." : " pods."));
    }

    /** One finding as {@code peapod up} prints it beside kube-apiserver's warnings. */
    static String line(Path file, LintFinding f) {
        return (file == null ? "" : file + ": ") + "Pod \"" + f.pod() + "\": " + f.severity().name().toLowerCase(Locale.ROOT) + " " + f;
    }

    static String json(List<Located> located) {
        var list = new ArrayList<Map<String, Object>>();
        for (Located l : located) {
            LintFinding f = l.finding();
            var m = new LinkedHashMap<String, Object>();
            m.put("file", l.file() == null ? null : l.file().toString());
            m.put("pod", f.pod());
            m.put("code", f.code().name());
            m.put("name", f.code().title);
            m.put("severity", f.severity().name().toLowerCase(Locale.ROOT));
            m.put("path", f.path());
            m.put("message", f.message());
            m.put("fix", f.fix());
            list.add(m);
        }
        return Manifests.toJson(list);
    }
}
