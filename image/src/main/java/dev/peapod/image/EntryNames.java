package dev.peapod.image;

import java.util.ArrayList;
import java.util.List;

/**
 * Tar entry names as path elements. A name is refused outright (null) when it is absolute or has a
 * {@code ..} element: a layer or image archive that needs either is hostile or broken, and
 * rewriting it (as containerd's {@code fs.RootPath} does) would hide that.
 */
final class EntryNames {
    private EntryNames() {}

    /**
     * The elements of {@code name} with {@code .} and empty elements dropped (so {@code ./a//b/}
     * is {@code [a, b]} and {@code ./} is {@code []}), or null when the name could leave the root.
     */
    static List<String> elements(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.indexOf('\0') >= 0) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (String element : name.split("/")) {
            if (element.equals("..")) {
                return null;
            }
            if (!element.isEmpty() && !element.equals(".")) {
                out.add(element);
            }
        }
        return out;
    }

    static String join(List<String> elements) {
        return String.join("/", elements);
    }
}
