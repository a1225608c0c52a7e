package dev.peapod.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One change, as a watch delivers it. {@code object} is the state after the change; for
 * {@link Type#DELETED} the last state, with {@code metadata.resourceVersion} set to the revision of
 * the deletion (as kube-apiserver reports it).
 */
public record WatchEvent(Type type, Key key, long revision, ObjectNode object) {
    public enum Type { ADDED, MODIFIED, DELETED }
}
