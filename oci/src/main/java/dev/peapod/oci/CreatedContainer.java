package dev.peapod.oci;

/** A container the runtime created: its id, the pid of its init process, and conmon's pid. */
public record CreatedContainer(String id, int pid, int conmonPid) {}
