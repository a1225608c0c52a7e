package dev.peapod.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The checks and stamping both stores share, so the fake cannot drift from the real one. */
final class Objects {
    private Objects() {}

    static String uid(Key key, ObjectNode object) {
        var uid = object.path("metadata").path("uid");
        if (!uid.isTextual() || uid.textValue().isEmpty()) {
            throw new IllegalArgumentException(key + ": metadata.uid must be set");
        }
        return uid.textValue();
    }

    /** A copy of {@code object} with {@code metadata.resourceVersion} = {@code revision}. */
    static ObjectNode stamp(ObjectNode object, long revision) {
        ObjectNode copy = object.deepCopy();
        var meta = copy.get("metadata") instanceof ObjectNode m ? m : copy.putObject("metadata");
        meta.put("resourceVersion", Long.toString(revision));
        return copy;
    }

    static void checkPrecondition(Key key, long expected, long actual) {
        if (expected != 0 && expected != actual) throw new StoreException.Conflict(key, expected, actual);
    }

    static void checkSameUid(Key key, String stored, String given) {
        if (!stored.equals(given)) {
            throw new IllegalArgumentException(key + ": metadata.uid cannot change (" + stored + " → " + given + ")");
        }
    }
}
