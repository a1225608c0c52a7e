package dev.peapod.apiserver;

import java.io.IOException;

/**
 * The node's side of {@code pods/{name}/attach}: the narrow interface the API server has to the
 * streams of a running container (the daemon implements it with conmon's attach socket).
 * Contract: thread safe; {@link #attach} returns once attached. The returned streams are those of
 * {@link PodExec.Running}, read as they are for exec, with attach's meanings:
 * <ul>
 *   <li>{@code stdout}/{@code stderr}: the container's output from now on; they end when the
 *       container ends (its log goes on being written meanwhile);</li>
 *   <li>{@code stdin}: its stdin (or terminal) when {@code stdin} is true; closing it closes the
 *       container's stdin only if it is {@code stdinOnce}. Without stdin, a sink;</li>
 *   <li>{@code waitFor}: returns 0 once the output has ended (kubelet then sends Success whatever
 *       the container's exit code); {@code kill}: detaches, the container runs on;</li>
 *   <li>{@code resize}: the container's terminal (tty containers).</li>
 * </ul>
 */
public interface PodAttach {
    /**
     * @param target which container (its runtime id), whether it has a {@code tty}, and the
     *               terminal's first size if known; {@code argv} is empty
     * @param stdin  the client sends stdin and the container keeps one ({@code stdin: true})
     */
    PodExec.Running attach(PodExec.Command target, boolean stdin) throws IOException;

    PodAttach NONE = (c, stdin) -> { throw new IOException("attach is not available on this node"); };
}
