package dev.peapod.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code peapod lint} end to end through the command line: text, JSON, exit statuses, invalid input. */
class LintCommandTest {
    @TempDir Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        var cli = Main.commandLine(new CliContext(dataDir -> { throw new AssertionError("lint opens no store"); }), args);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private Path write(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml);
    }

    private static final String CLASHING = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              containers:
              - {name: app, image: busybox, ports: [{containerPort: 8080}]}
              - {name: metrics, image: busybox, ports: [{containerPort: 8080}]}
            """;

    private static final String CLEAN = """
            apiVersion: v1
            kind: Pod
            metadata: {name: clean}
            spec:
              containers:
              - name: app
                image: busybox
                resources: {requests: {cpu: 100m, memory: 32Mi}, limits: {memory: 32Mi}}
                securityContext: {runAsNonRoot: true, runAsUser: 1000, readOnlyRootFilesystem: true}
            """;

    @Test
    void textNamesFilePodCodePathAndFixAndExitsOneOnAWarning() throws IOException {
        Path f = write("web.yaml", CLASHING);
        assertThat(run("lint", f.toString())).isEqualTo(1);
        String text = out.toString();
        assertThat(text).contains(f + ": Pod \"web\": warning PEA001 spec.containers[1].ports[0]: port 8080/TCP is also declared by spec.containers[0] (\"app\")");
        assertThat(text).contains("    fix: give one of the two containers another port");
        assertThat(text).contains(f + ": Pod \"web\": info PEA005 spec.containers[0].resources:");
        assertThat(text.lines().toList().getLast()).matches("\\d+ findings \\(1 warning, \\d+ info\\) in 1 pod\\.");
    }

    @Test
    void aCleanPodExitsZero() throws IOException {
        assertThat(run("lint", write("clean.yaml", CLEAN).toString())).isZero();
        assertThat(out.toString()).isEqualTo("No findings in 1 pod.\n");
    }

    @Test
    void jsonForTools() throws IOException {
        Path f = write("web.yaml", CLASHING);
        assertThat(run("lint", "--format", "json", f.toString())).isEqualTo(1);
        List<Map<String, Object>> findings = new ObjectMapper().readValue(out.toString(), List.class);
        assertThat(findings).isNotEmpty();
        assertThat(findings.getFirst()).containsEntry("file", f.toString()).containsEntry("pod", "web")
                .containsEntry("code", "PEA001").containsEntry("name", "port-conflict").containsEntry("severity", "warning")
                .containsEntry("path", "spec.containers[1].ports[0]").containsKeys("message", "fix");
    }

    @Test
    void hostPortsClashAcrossFiles() throws IOException {
        String a = CLEAN.replace("name: clean", "name: a").replace("image: busybox", "image: busybox\n    ports: [{containerPort: 80, hostPort: 8080}]");
        Path fa = write("a.yaml", a);
        Path fb = write("b.yaml", a.replace("name: a}", "name: b}"));
        assertThat(run("lint", fa.toString(), fb.toString())).isEqualTo(1);
        assertThat(out.toString()).contains(fb + ": Pod \"b\": warning PEA010 spec.containers[0].ports[0].hostPort: hostPort 8080/TCP on 0.0.0.0 is also taken by pod \"a\"");
    }

    @Test
    void anInvalidManifestIsAnErrorWithItsFieldPath() throws IOException {
        Path f = write("bad.yaml", CLASHING.replace("name: metrics", "name: app"));
        assertThat(run("lint", f.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("spec.containers[1].name: Duplicate value: \"app\"");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void anUnknownFormatIsRefused() throws IOException {
        assertThat(run("lint", "--format", "xml", write("clean.yaml", CLEAN).toString())).isNotZero();
        assertThat(err.toString()).contains("--format").contains("xml");
    }
}
