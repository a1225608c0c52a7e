package dev.peapod.api;

/**
 * A field path as {@code field.Path.String()} renders it: children joined with {@code .},
 * list indices as {@code [i]}, map keys as {@code [key]} (unquoted).
 */
record FieldPath(String value) {
    static final FieldPath METADATA = new FieldPath("metadata");
    static final FieldPath SPEC = new FieldPath("spec");

    FieldPath child(String name) {
        return new FieldPath(value.isEmpty() ? name : value + "." + name);
    }

    FieldPath child(String name, String... more) {
        FieldPath p = child(name);
        for (String m : more) {
            p = p.child(m);
        }
        return p;
    }

    FieldPath index(int i) {
        return new FieldPath(value + "[" + i + "]");
    }

    FieldPath key(String key) {
        return new FieldPath(value + "[" + key + "]");
    }

    @Override
    public String toString() {
        return value;
    }
}
