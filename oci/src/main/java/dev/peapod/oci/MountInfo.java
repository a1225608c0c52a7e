package dev.peapod.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * /proc/self/mountinfo, parsed (proc(5)): {@code id parent major:minor root mountpoint options
 * [optional fields...] - fstype source superoptions}. Paths are octal-escaped by the kernel
 * (space {@code \040}, tab {@code \011}, newline {@code \012}, backslash {@code \134}).
 */
record MountInfo(int id, int parentId, String root, String mountPoint, String options,
                 String fsType, String source, String superOptions) {

    static final Path SELF = Path.of("/proc/self/mountinfo");

    static List<MountInfo> read() {
        try {
            return parse(Files.readString(SELF));
        } catch (IOException e) {
            throw new OciException("failed to read " + SELF + ": " + e, e);
        }
    }

    static List<MountInfo> parse(String text) {
        List<MountInfo> mounts = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                mounts.add(parseLine(line));
            }
        }
        return mounts;
    }

    static MountInfo parseLine(String line) {
        String[] f = line.split(" ");
        int dash = 6;
        while (dash < f.length && !f[dash].equals("-")) {
            dash++;
        }
        if (f.length < 7 || dash + 2 >= f.length) {
            throw new OciException("failed to parse mountinfo line: " + line);
        }
        return new MountInfo(Integer.parseInt(f[0]), Integer.parseInt(f[1]), unescape(f[3]), unescape(f[4]),
                f[5], f[dash + 1], unescape(f[dash + 2]), dash + 3 < f.length ? f[dash + 3] : "");
    }

    /** Undoes the kernel's {@code \ooo} escapes. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }

    /** Comma-separated super options, e.g. {@code rw,cpu,cpuacct}. */
    List<String> superOptionList() {
        return List.of(superOptions.split(","));
    }
}
