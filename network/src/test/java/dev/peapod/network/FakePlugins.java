package dev.peapod.network;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Fake CNI plugins: small shell scripts in a temporary CNI_PATH that record their environment
 * and stdin (one pair of files per call, numbered) and answer with what the test set for
 * (plugin, command): stdout, stderr, exit code.
 */
final class FakePlugins {
    /** One recorded plugin run. */
    record Call(String plugin, String command, ObjectNode stdin, Map<String, String> env) {}

    private final Path bin;
    private final Path records;
    private final Path answers;

    FakePlugins(Path root) throws IOException {
        this.bin = Files.createDirectories(root.resolve("bin"));
        this.records = Files.createDirectories(root.resolve("records"));
        this.answers = Files.createDirectories(root.resolve("answers"));
    }

    Path bin() { return bin; }

    /** Installs an executable plugin called {@code name}. */
    FakePlugins install(String name) throws IOException {
        String script = """
                #!/bin/sh
                n=$(ls "%1$s" | grep -c '\\.stdin$')
                id=$(printf '%%03d' "$n")-%2$s-"$CNI_COMMAND"
                cat > "%1$s/$id.stdin"
                env > "%1$s/$id.env"
                a="%3$s/%2$s.$CNI_COMMAND"
                [ -f "$a.stderr" ] && cat "$a.stderr" >&2
                [ -f "$a.out" ] && cat "$a.out"
                [ -f "$a.exit" ] && exit "$(cat "$a.exit")"
                exit 0
                """.formatted(records, name, answers);
        Path file = bin.resolve(name);
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return this;
    }

    /** What {@code plugin} answers to {@code command}. */
    FakePlugins answer(String plugin, String command, String stdout, String stderr, int exit) throws IOException {
        Path base = answers.resolve(plugin + "." + command);
        Files.writeString(Path.of(base + ".out"), stdout);
        Files.writeString(Path.of(base + ".stderr"), stderr);
        Files.writeString(Path.of(base + ".exit"), Integer.toString(exit));
        return this;
    }

    FakePlugins answer(String plugin, String command, String stdout) throws IOException {
        return answer(plugin, command, stdout, "", 0);
    }

    /** The calls so far, in order. */
    List<Call> calls() throws IOException {
        List<Path> stdins;
        try (Stream<Path> s = Files.list(records)) {
            stdins = s.filter(p -> p.toString().endsWith(".stdin")).sorted().toList();
        }
        List<Call> out = new ArrayList<>();
        for (Path stdin : stdins) {
            String id = stdin.getFileName().toString().replace(".stdin", "");
            String[] parts = id.split("-");
            Map<String, String> env = new LinkedHashMap<>();
            for (String line : Files.readAllLines(records.resolve(id + ".env"))) {
                int eq = line.indexOf('=');
                if (eq > 0) env.put(line.substring(0, eq), line.substring(eq + 1));
            }
            out.add(new Call(parts[1], parts[2], CniJson.parseObject(Files.readString(stdin)), env));
        }
        return out;
    }

    void clearCalls() throws IOException {
        try (Stream<Path> s = Files.list(records)) {
            for (Path p : s.toList()) Files.delete(p);
        }
    }
}
