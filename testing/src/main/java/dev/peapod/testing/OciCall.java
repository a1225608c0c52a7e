package dev.peapod.testing;

import java.time.Instant;
import java.util.List;

/**
 * One action {@link FakeOciRuntime} was asked to perform, or one exit of a fake process, in the
 * order they happened. Queries ({@code state}, {@code exitCode}) are not recorded: the engine
 * polls them and they change nothing.
 *
 * @param op     what happened
 * @param id     the container id
 * @param args   the container's {@code process.args} from its config.json (empty if never read)
 * @param detail {@link Op#KILL}: the signal name ({@code TERM}, {@code KILL}...); {@link Op#EXIT}:
 *               the exit code; {@link Op#DELETE}: {@code force} or empty; a failed action:
 *               {@code failed: <stderr>}; otherwise empty
 * @param at     when it happened (wall clock)
 */
public record OciCall(Op op, String id, List<String> args, String detail, Instant at) {

    public enum Op { CREATE, START, KILL, DELETE, EXIT }

    public OciCall {
        args = List.copyOf(args);
    }

    /** {@code args[0]}, which tests use as the container's name; empty if there are no args. */
    public String program() {
        return args.isEmpty() ? "" : args.getFirst();
    }

    public boolean failed() {
        return detail.startsWith("failed");
    }

    /** Compact form for assertion messages and ordering checks: {@code START app}, {@code KILL app TERM}. */
    @Override
    public String toString() {
        return op + " " + program() + (detail.isEmpty() ? "" : " " + detail);
    }
}
