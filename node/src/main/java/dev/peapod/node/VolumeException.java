package dev.peapod.node;

/** A volume could not be set up; kubelet reports these as FailedMount events and keeps the pod waiting. */
final class VolumeException extends RuntimeException {
    VolumeException(String message) { super(message); }
}
