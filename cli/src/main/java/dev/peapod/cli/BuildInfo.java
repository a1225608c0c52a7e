package dev.peapod.cli;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * {@code peapod --version}: the release, the git commit the jar was built from (written into
 * {@code build.properties} by the build, absent outside a git clone) and the running JVM.
 */
final class BuildInfo implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return lines(load(), Runtime.version().toString(), System.getProperty("java.vendor", "unknown vendor"));
    }

    static String[] lines(Properties build, String javaVersion, String javaVendor) {
        String version = build.getProperty("version", "unknown").replace("-SNAPSHOT", "");
        String commit = build.getProperty("commit", "");
        String first = "peapod " + version + (commit.matches("[0-9a-f]{7,40}") ? " (commit " + commit + ")" : "");
        return new String[] {first, "java " + javaVersion + " (" + javaVendor + ")"};
    }

    private static Properties load() {
        var props = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("failed to read build.properties: " + e.getMessage(), e);
        }
        return props;
    }
}
