package dev.peapod.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * CPU time of this process through getrusage(2), in microseconds' resolution (/proc/self/stat
 * counts clock ticks, 10 ms). {@code RUSAGE_CHILDREN} covers the children this process has waited
 * for and, through them, their own waited-for descendants: the runtime processes of exec probes.
 */
final class Rusage {
    private static final int RUSAGE_SELF = 0;
    private static final int RUSAGE_CHILDREN = -1;
    /** sizeof(struct rusage) on x86-64 and aarch64: two timevals and fourteen longs. */
    private static final long SIZE = 144;
    private static final MethodHandle GETRUSAGE;

    static {
        Linker linker = Linker.nativeLinker();
        GETRUSAGE = linker.downcallHandle(linker.defaultLookup().find("getrusage").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    }

    /** User plus system CPU time, in nanoseconds, of this process ({@code self}) and of its waited-for children. */
    record Cpu(long self, long children) {
        long total() { return self + children; }

        Cpu minus(Cpu earlier) { return new Cpu(self - earlier.self, children - earlier.children); }
    }

    private Rusage() {}

    static Cpu now() {
        return new Cpu(nanos(RUSAGE_SELF), nanos(RUSAGE_CHILDREN));
    }

    private static long nanos(int who) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ru = arena.allocate(SIZE, 8);
            int rc = (int) GETRUSAGE.invokeExact(who, ru);
            if (rc != 0) throw new IllegalStateException("failed to read getrusage(" + who + ")");
            // struct timeval ru_utime, ru_stime: {long tv_sec; long tv_usec;} each.
            long micros = 0;
            for (long offset : new long[] {0, 16}) {
                micros += ru.get(ValueLayout.JAVA_LONG, offset) * 1_000_000 + ru.get(ValueLayout.JAVA_LONG, offset + 8);
            }
            return micros * 1_000;
        } catch (Throwable t) {
            if (t instanceof RuntimeException r) throw r;
            throw new IllegalStateException("failed to call getrusage: " + t, t);
        }
    }
}
