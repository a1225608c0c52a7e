package dev.peapod.network;

import java.util.regex.Pattern;

/** The identifier rules of the CNI spec 1.0 (sections 1 and 2), checked before any plugin runs. */
final class CniNames {
    /** Network names and container IDs: "must start with an alphanumeric character, optionally
     *  followed by any combination of one or more alphanumeric characters, underscore, dot or hyphen". */
    private static final Pattern ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*");

    private CniNames() {}

    static boolean validId(String s) {
        return s != null && ID.matcher(s).matches();
    }

    /** The problem with an interface name, or null: Linux rules as the spec states them (section 2, ADD). */
    static String interfaceNameProblem(String name) {
        if (name == null || name.isEmpty()) return "interface name is empty";
        if (name.length() > 15) return "interface name " + name + " is longer than 15 characters";
        if (name.equals(".") || name.equals("..")) return "interface name may not be . or ..";
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c)) {
                return "interface name " + name + " contains '/', ':' or whitespace";
            }
        }
        return null;
    }

    /** A plugin type names an executable: "must not contain characters disallowed in file paths". */
    static boolean validPluginType(String type) {
        return type != null && !type.isEmpty() && type.indexOf('/') < 0 && type.indexOf('\\') < 0
                && !type.equals(".") && !type.equals("..") && type.indexOf('\0') < 0;
    }
}
