package dev.peapod.image.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of containers-registries.conf(5) ({@code /etc/containers/registries.conf}, version 2)
 * Peapod follows: {@code [[registry]]} tables with {@code location} (or {@code prefix}),
 * {@code insecure}, {@code blocked} and {@code [[registry.mirror]]} / inline {@code mirror = [{...}]}
 * entries with their own {@code location} and {@code insecure}. The version 1
 * {@code [registries.insecure] registries = [...]} list is read too. Everything else (search
 * registries, short-name aliases) is ignored.
 *
 * <p>The file is read with a small TOML subset parser: tables, arrays of tables, strings, booleans,
 * arrays and inline tables; enough for what this file holds, and a clear error naming the line for
 * anything else.
 */
public record RegistriesConf(List<Registry> registries) {
    public static final Path DEFAULT = Path.of("/etc/containers/registries.conf");
    public static final RegistriesConf EMPTY = new RegistriesConf(List.of());

    /** A mirror of a registry: {@code location} may carry a path prefix ({@code mirror.example/hub}). */
    public record Mirror(String location, boolean insecure) {}

    /**
     * One {@code [[registry]]} entry.
     *
     * @param prefix   the references it applies to (defaults to {@code location})
     * @param location where those references are pulled from
     */
    public record Registry(String prefix, String location, boolean insecure, boolean blocked, List<Mirror> mirrors) {
        public Registry {
            mirrors = List.copyOf(mirrors);
        }
    }

    public RegistriesConf {
        registries = List.copyOf(registries);
    }

    /**
     * The entry for a repository name ({@code docker.io/library/busybox}): the one with the longest
     * matching prefix, as containers/image's {@code FindRegistry}; null when none matches.
     */
    public Registry find(String repository) {
        Registry best = null;
        for (Registry r : registries) {
            String p = r.prefix();
            boolean matches = repository.equals(p) || repository.startsWith(p + "/")
                    || (p.startsWith("*.") && repository.split("/", 2)[0].endsWith(p.substring(1)));
            if (matches && (best == null || p.length() > best.prefix().length())) {
                best = r;
            }
        }
        return best;
    }

    /** Reads {@code file}; a missing file configures nothing. */
    public static RegistriesConf read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (NoSuchFileException e) {
            return EMPTY;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    public static RegistriesConf parse(String toml) {
        Map<String, Object> doc = new Toml(toml).parse();
        List<Registry> out = new ArrayList<>();
        if (doc.get("registry") instanceof List<?> tables) {
            for (Object t : tables) {
                out.add(registry(asTable(t, "registry")));
            }
        }
        // Version 1: [registries.insecure] registries = ["host:5000"].
        if (doc.get("registries") instanceof Map<?, ?> v1 && v1.get("insecure") instanceof Map<?, ?> insecure
                && insecure.get("registries") instanceof List<?> hosts) {
            for (Object h : hosts) {
                out.add(new Registry(h.toString(), h.toString(), true, false, List.of()));
            }
        }
        return new RegistriesConf(out);
    }

    private static Registry registry(Map<String, Object> t) {
        String location = string(t, "location");
        String prefix = string(t, "prefix");
        if (location == null && prefix == null) {
            throw new IllegalArgumentException("a [[registry]] needs a location or a prefix");
        }
        List<Mirror> mirrors = new ArrayList<>();
        if (t.get("mirror") instanceof List<?> ms) {
            for (Object m : ms) {
                Map<String, Object> mt = asTable(m, "registry.mirror");
                String ml = string(mt, "location");
                if (ml == null) {
                    throw new IllegalArgumentException("a [[registry.mirror]] needs a location");
                }
                mirrors.add(new Mirror(ml, Boolean.TRUE.equals(mt.get("insecure"))));
            }
        }
        return new Registry(prefix != null ? prefix : location, location != null ? location : prefix,
                Boolean.TRUE.equals(t.get("insecure")), Boolean.TRUE.equals(t.get("blocked")), mirrors);
    }

    private static String string(Map<String, Object> t, String key) {
        Object v = t.get(key);
        return v == null ? null : v.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asTable(Object o, String what) {
        if (!(o instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(what + " must be a table");
        }
        return (Map<String, Object>) o;
    }

    /** The TOML subset: see the class comment. Values are String, Boolean, Long, List and Map. */
    static final class Toml {
        private final String s;
        private int i;
        private int line = 1;

        Toml(String s) {
            this.s = s;
        }

        Map<String, Object> parse() {
            Map<String, Object> root = new LinkedHashMap<>();
            Map<String, Object> current = root;
            while (true) {
                skipBlankLines();
                if (i >= s.length()) {
                    return root;
                }
                if (s.startsWith("[[", i)) {
                    i += 2;
                    List<String> path = key("]]");
                    expect("]]");
                    current = newArrayTable(root, path);
                } else if (s.charAt(i) == '[') {
                    i++;
                    List<String> path = key("]");
                    expect("]");
                    current = table(root, path);
                } else {
                    List<String> path = key("=");
                    expect("=");
                    Map<String, Object> target = table(current, path.subList(0, path.size() - 1));
                    if (target.put(path.getLast(), value()) != null) {
                        throw error("duplicate key \"" + String.join(".", path) + "\"");
                    }
                }
                endOfLine();
            }
        }

        /** {@code [[a.b]]}: appends a table to array {@code b} of the last element of {@code a}. */
        private Map<String, Object> newArrayTable(Map<String, Object> root, List<String> path) {
            Map<String, Object> parent = table(root, path.subList(0, path.size() - 1));
            Object existing = parent.computeIfAbsent(path.getLast(), k -> new ArrayList<>());
            if (!(existing instanceof List<?>)) {
                throw error("\"" + String.join(".", path) + "\" is not an array of tables");
            }
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) existing;
            Map<String, Object> t = new LinkedHashMap<>();
            list.add(t);
            return t;
        }

        @SuppressWarnings("unchecked")
        private Map<String, Object> table(Map<String, Object> from, List<String> path) {
            Map<String, Object> t = from;
            for (String k : path) {
                Object next = t.computeIfAbsent(k, x -> new LinkedHashMap<String, Object>());
                // [registry.x] and [[registry.mirror]] after [[registry]] address its last element.
                if (next instanceof List<?> l && !l.isEmpty() && l.getLast() instanceof Map<?, ?> last) {
                    next = last;
                }
                if (!(next instanceof Map<?, ?>)) {
                    throw error("\"" + k + "\" is not a table");
                }
                t = (Map<String, Object>) next;
            }
            return t;
        }

        /** A dotted key of bare or quoted parts, up to {@code end}. */
        private List<String> key(String end) {
            List<String> parts = new ArrayList<>();
            while (true) {
                skipSpaces();
                if (i < s.length() && (s.charAt(i) == '"' || s.charAt(i) == '\'')) {
                    parts.add(string());
                } else {
                    int start = i;
                    while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || "-_".indexOf(s.charAt(i)) >= 0)) {
                        i++;
                    }
                    if (start == i) {
                        throw error("expected a key");
                    }
                    parts.add(s.substring(start, i));
                }
                skipSpaces();
                if (i < s.length() && s.charAt(i) == '.') {
                    i++;
                } else if (s.startsWith(end, i)) {
                    return parts;
                } else {
                    throw error("expected \"" + end + "\"");
                }
            }
        }

        private Object value() {
            skipSpaces();
            if (i >= s.length()) {
                throw error("expected a value");
            }
            char c = s.charAt(i);
            if (c == '"' || c == '\'') {
                return string();
            }
            if (c == '[') {
                i++;
                List<Object> list = new ArrayList<>();
                while (true) {
                    skipSpacesAndNewlines();
                    if (peek(']')) {
                        i++;
                        return list;
                    }
                    list.add(value());
                    skipSpacesAndNewlines();
                    if (peek(',')) {
                        i++;
                    } else if (!peek(']')) {
                        throw error("expected \",\" or \"]\" in an array");
                    }
                }
            }
            if (c == '{') {
                i++;
                Map<String, Object> t = new LinkedHashMap<>();
                skipSpaces();
                if (peek('}')) {
                    i++;
                    return t;
                }
                while (true) {
                    List<String> path = key("=");
                    expect("=");
                    table(t, path.subList(0, path.size() - 1)).put(path.getLast(), value());
                    skipSpaces();
                    if (peek(',')) {
                        i++;
                    } else if (peek('}')) {
                        i++;
                        return t;
                    } else {
                        throw error("expected \",\" or \"}\" in an inline table");
                    }
                }
            }
            if (s.startsWith("true", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("false", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '-' || s.charAt(i) == '_')) {
                i++;
            }
            if (start < i) {
                return Long.parseLong(s.substring(start, i).replace("_", ""));
            }
            throw error("unsupported value");
        }

        private String string() {
            char quote = s.charAt(i++);
            StringBuilder out = new StringBuilder();
            while (i < s.length() && s.charAt(i) != quote) {
                char c = s.charAt(i++);
                if (c == '\n') {
                    throw error("unterminated string");
                }
                if (c == '\\' && quote == '"' && i < s.length()) {
                    char e = s.charAt(i++);
                    out.append(switch (e) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case '"', '\\' -> e;
                        default -> throw error("unsupported escape \\" + e);
                    });
                } else {
                    out.append(c);
                }
            }
            if (i >= s.length()) {
                throw error("unterminated string");
            }
            i++;
            return out.toString();
        }

        private boolean peek(char c) {
            return i < s.length() && s.charAt(i) == c;
        }

        private void expect(String token) {
            skipSpaces();
            if (!s.startsWith(token, i)) {
                throw error("expected \"" + token + "\"");
            }
            i += token.length();
        }

        private void skipSpaces() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
        }

        private void skipComment() {
            if (peek('#')) {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
            }
        }

        private void skipSpacesAndNewlines() {
            while (true) {
                skipSpaces();
                skipComment();
                if (peek('\n') || peek('\r')) {
                    if (s.charAt(i) == '\n') {
                        line++;
                    }
                    i++;
                } else {
                    return;
                }
            }
        }

        private void skipBlankLines() {
            skipSpacesAndNewlines();
        }

        private void endOfLine() {
            skipSpaces();
            skipComment();
            if (i < s.length() && !peek('\n') && !peek('\r')) {
                throw error("unexpected text after a value");
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("line " + line + ": " + what);
        }
    }
}
