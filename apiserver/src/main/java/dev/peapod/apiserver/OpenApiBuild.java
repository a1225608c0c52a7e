package dev.peapod.apiserver;

import dev.peapod.apiserver.OpenApiSchemas.Dialect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the OpenAPI documents at build time (exec-maven-plugin, process-classes; see
 * apiserver/pom.xml): generating them takes about a second in a fresh JVM (loading ~190 fabric8
 * classes and introspecting them), which the first {@code kubectl create} would otherwise wait for;
 * reading the written files takes milliseconds; and the descriptions are only in fabric8's
 * {@code -sources} jars, which the build fetches (maven-dependency-plugin). {@link OpenApi} generates
 * the documents itself, without descriptions, when the files are missing (a build without the plugin).
 */
public final class OpenApiBuild {
    private OpenApiBuild() {}

    /**
     * @param args the directory to write the documents to, and the directory of fabric8's
     *             {@code -sources} jars to take descriptions from
     */
    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of(args[0]));
        var descriptions = JavadocDescriptions.fromJarsIn(Path.of(args[1]));
        Files.writeString(dir.resolve(OpenApi.V2_FILE), Json.write(OpenApi.document(Dialect.V2, descriptions, OpenApi.GROUP_VERSIONS)));
        for (var gv : OpenApi.GROUP_VERSIONS) {
            Files.writeString(dir.resolve(gv.file()), Json.write(OpenApi.document(Dialect.V3, descriptions, java.util.List.of(gv))));
        }
    }
}
