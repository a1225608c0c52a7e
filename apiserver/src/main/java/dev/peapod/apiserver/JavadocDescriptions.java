package dev.peapod.apiserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

/**
 * The Kubernetes API descriptions fabric8 keeps only in the javadoc of its model sources (its
 * generator copies each OpenAPI description onto the class and onto the property's getter; nothing
 * survives in the bytecode): read from the {@code -sources} jars at build time ({@link OpenApiBuild}).
 */
final class JavadocDescriptions implements OpenApiSchemas.Descriptions {
    private static final String PROPERTY = "@JsonProperty(\"";

    private final List<ZipFile> jars;
    private final Map<Class<?>, Map<String, String>> parsed = new HashMap<>();

    private JavadocDescriptions(List<ZipFile> jars) { this.jars = jars; }

    /** The descriptions in every jar of {@code dir}; none when it does not exist. */
    static OpenApiSchemas.Descriptions fromJarsIn(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return OpenApiSchemas.Descriptions.NONE;
        var jars = new ArrayList<ZipFile>();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) jars.add(new ZipFile(p.toFile()));
        }
        return new JavadocDescriptions(jars);
    }

    @Override
    public String describe(Class<?> c, String property) {
        return parsed.computeIfAbsent(c, this::parse).get(property == null ? "" : property);
    }

    /** Property name → description, and "" → the class's. */
    private Map<String, String> parse(Class<?> c) {
        String source = source(c);
        var out = new HashMap<String, String>();
        if (source == null) return out;
        int decl = source.indexOf("public class " + c.getSimpleName());
        int end = decl < 0 ? -1 : source.lastIndexOf("*/", decl);
        int start = end < 0 ? -1 : source.lastIndexOf("/**", end);
        if (start > source.lastIndexOf("\nimport ", Math.max(decl, 0))) out.put("", text(source.substring(start + 3, end)));
        // Each getter's and setter's @JsonProperty("name") right after a javadoc block (fields have none).
        for (int at = source.indexOf(PROPERTY); at >= 0; at = source.indexOf(PROPERTY, at + 1)) {
            int close = at;
            while (close > 0 && Character.isWhitespace(source.charAt(close - 1))) close--;
            if (!source.startsWith("*/", close - 2)) continue;
            int open = source.lastIndexOf("/**", close - 2);
            int nameEnd = source.indexOf('"', at + PROPERTY.length());
            if (open < 0 || nameEnd < 0) continue;
            out.putIfAbsent(source.substring(at + PROPERTY.length(), nameEnd), text(source.substring(open + 3, close - 2)));
        }
        // fabric8's generator gives a property whose type is another object (Pod.spec, Container.livenessProbe)
        // the javadoc of the class that holds it, not the field's: no description beats a wrong one
        // (kubectl explain still shows the referenced type's own).
        String own = out.get("");
        if (own != null) out.entrySet().removeIf(e -> !e.getKey().isEmpty() && e.getValue().equals(own));
        return out;
    }

    private String source(Class<?> c) {
        String entry = c.getName().replace('.', '/') + ".java";
        for (ZipFile jar : jars) {
            var e = jar.getEntry(entry);
            if (e == null) continue;
            try (var in = jar.getInputStream(e)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
        }
        return null;
    }

    /** The comment's text: line prefixes ({@code " * "}) off, the HTML escapes javadoc needs undone. */
    static String text(String comment) {
        var lines = new ArrayList<String>();
        for (String line : comment.split("\n")) {
            String l = line.strip();
            if (l.startsWith("*")) l = l.substring(1).strip();
            lines.add(l);
        }
        return String.join("\n", lines).strip()
                .replace("&lt;", "<").replace("&gt;", ">").replace("&#42;", "*").replace("&quot;", "\"").replace("&amp;", "&");
    }
}
