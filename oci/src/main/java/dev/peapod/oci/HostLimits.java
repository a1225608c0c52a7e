package dev.peapod.oci;

/**
 * The hard rlimits Peapod's own process has. Containers inherit limits through conmon and the
 * runtime, and an unprivileged raise above the hard limit fails, so a spec asking for more
 * makes {@code setrlimit} fail with EPERM (seen on the dev host: nofile 20000, nproc 96365 —
 * /work/shared/reference/host-notes.md). Spec generation clamps to these.
 *
 * @param nofileHard RLIMIT_NOFILE hard limit ({@link Long#MAX_VALUE} for unlimited)
 * @param nprocHard  RLIMIT_NPROC hard limit ({@link Long#MAX_VALUE} for unlimited)
 */
public record HostLimits(long nofileHard, long nprocHard) {

    /** getrlimit(2) via FFM for this process. */
    public static HostLimits read() {
        return new HostLimits(Libc.hardLimit(Libc.RLIMIT_NOFILE), Libc.hardLimit(Libc.RLIMIT_NPROC));
    }

    public long clampNofile(long wanted) { return Math.min(wanted, nofileHard); }

    public long clampNproc(long wanted) { return Math.min(wanted, nprocHard); }
}
