package dev.peapod.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the network configuration to use in a CNI configuration directory the way kubelet and
 * containerd do: the files ending in {@code .conflist}, {@code .conf} or {@code .json}
 * (libcni's ConfFiles), sorted by name (Go's sort.Strings: byte order), and the first one that
 * parses wins. {@code .conf}/{@code .json} hold a single plugin and are wrapped into a list.
 * Files that do not parse are skipped and reported, as kubelet's getDefaultCNINetwork does, so
 * that one broken file does not take the node's networking down.
 */
public final class CniConfigDir {
    static final List<String> EXTENSIONS = List.of(".conflist", ".conf", ".json");

    private CniConfigDir() {}

    /**
     * @param file    the configuration file chosen
     * @param config  its parsed content
     * @param skipped files sorted before it that could not be used, each "name: reason"
     */
    public record Selection(Path file, NetworkConfigList config, List<String> skipped) {
        public Selection { skipped = List.copyOf(skipped); }
    }

    /** The configuration files of {@code dir} in the order they are considered; empty if the directory is absent. */
    public static List<Path> configFiles(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isRegularFile)
                    .filter(p -> EXTENSIONS.stream().anyMatch(ext -> p.getFileName().toString().endsWith(ext)))
                    .sorted((a, b) -> compareBytes(a.getFileName().toString(), b.getFileName().toString()))
                    .toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new NetworkException("failed to list CNI configuration directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The first usable configuration of {@code dir}, or empty when there is none. */
    public static Optional<Selection> selectFirst(Path dir) {
        return scan(dir, new ArrayList<>());
    }

    /** Like {@link #selectFirst}, but a directory without a usable configuration is an error that says why. */
    public static Selection require(Path dir) {
        List<String> problems = new ArrayList<>();
        return scan(dir, problems).orElseThrow(() -> new NetworkException("failed to load CNI configuration from "
                + dir + ": " + (problems.isEmpty() ? "no .conflist, .conf or .json file" : String.join("; ", problems))));
    }

    private static Optional<Selection> scan(Path dir, List<String> skipped) {
        for (Path file : configFiles(dir)) {
            try {
                return Optional.of(new Selection(file, load(file), skipped));
            } catch (NetworkException e) {
                skipped.add(file.getFileName() + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Reads one configuration file; {@code .conflist} as a list, anything else as a single plugin. */
    public static NetworkConfigList load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new NetworkException("failed to read " + file + ": " + e.getMessage(), e);
        }
        try {
            return file.getFileName().toString().endsWith(".conflist")
                    ? NetworkConfigList.fromConflist(text)
                    : NetworkConfigList.fromSingleConf(text);
        } catch (IllegalArgumentException e) {
            throw new NetworkException("failed to parse " + file + ": " + e.getMessage(), e);
        }
    }

    /** Go compares strings byte-wise (UTF-8); Java's compareTo compares UTF-16 units. */
    private static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
