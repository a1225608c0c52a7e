package dev.peapod.api;

import com.fasterxml.jackson.core.JsonGenerator;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and prints Kubernetes manifests.
 *
 * <p>{@link #parse} accepts multi-document YAML ({@code ---}) or JSON (one or more concatenated
 * values), skips empty documents, expands {@code v1 List}, and supports the kinds Peapod runs today:
 * v1 Pod, ConfigMap, Secret and PersistentVolumeClaim. Decoding is as strict as kube-apiserver's: unknown fields, duplicate
 * fields and wrongly typed values (a string where an integer belongs) are errors. Objects are
 * returned as decoded: no defaulting, no validation (see {@link PodDefaults}, {@link PodValidator}).
 *
 * <p>Error messages name the source: syntax errors as {@code pod.yaml:3:7: ...}, structural errors
 * by document ({@code pod.yaml: document 2 (line 14): missing "kind" ...}), schema errors by object
 * ({@code pod.yaml: Pod "web": strict decoding error: unknown field "spec.containers[0].imagee"}).
 *
 * <p>All methods are thread-safe; the Jackson machinery is built once, on first use.
 */
public final class Manifests {
    private Manifests() { }

    /**
     * Parses every object in {@code text}.
     *
     * @param sourceName how errors name the input, usually the file name
     * @throws ManifestException if any document is malformed, of an unsupported kind, or not strictly decodable
     */
    public static List<HasMetadata> parse(String text, String sourceName) {
        ObjectDecoder decoder = new ObjectDecoder(sourceName);
        List<HasMetadata> objects = new ArrayList<>();
        for (DocumentReader.Document d : DocumentReader.read(text, sourceName)) {
            decoder.decode(d.node(), "document " + d.index() + " (line " + d.line() + ")", objects);
        }
        return objects;
    }

    /** {@link #parse} on a UTF-8 file; errors name the file as given. */
    public static List<HasMetadata> parseFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ManifestException("failed to read manifest " + file + ": " + e, e);
        }
        return parse(text, file.toString());
    }

    /**
     * YAML as kubectl prints it: no {@code ---} header, block style, sequences not indented, strings
     * quoted only when a YAML 1.1 reader would otherwise see a number, boolean, null or date.
     */
    public static String toYaml(Object value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = Codec.yaml().createGenerator(out)) {
            Codec.mapper().writeValue(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException("failed to print YAML: " + e.getMessage(), e);
        }
        return out.toString();
    }

    /** Pretty JSON as {@code kubectl -o json} prints it (four-space indent), with a trailing newline. */
    public static String toJson(Object value) {
        try {
            return Codec.mapper().writer(Codec.prettyPrinter()).writeValueAsString(value) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException("failed to print JSON: " + e.getMessage(), e);
        }
    }
}
