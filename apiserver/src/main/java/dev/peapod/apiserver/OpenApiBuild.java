package dev.peapod.apiserver;

import dev.peapod.apiserver.OpenApiSchemas.Dialect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the OpenAPI documents at build time (exec-maven-plugin, process-classes; see
 * apiserver/pom.xml): generating them takes about a second in a fresh JVM (loading ~190 fabric8
 * classes and introspecting them), which the first {@code kubectl create} would otherwise wait for;
 * reading the written files takes milliseconds. {@link OpenApi} generates them itself when the files
 * are missing (a build without the plugin).
 */
public final class OpenApiBuild {
    private OpenApiBuild() {}

    /** @param args the directory to write {@code v2.json} and {@code v3-api-v1.json} to */
    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of(args[0]));
        Files.writeString(dir.resolve(OpenApi.V2_FILE), Json.write(OpenApi.document(Dialect.V2)));
        Files.writeString(dir.resolve(OpenApi.V3_FILE), Json.write(OpenApi.document(Dialect.V3)));
    }
}
