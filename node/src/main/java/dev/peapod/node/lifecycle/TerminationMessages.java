package dev.peapod.node.lifecycle;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;

/**
 * A finished container's termination message
 * (https://kubernetes.io/docs/tasks/debug/debug-application/determine-reason-pod-failure/), read
 * as kubelet's {@code convertToKubeContainerStatus}/{@code getTerminationMessage} read it:
 *
 * <ul>
 *   <li>{@code File} (the default): the last {@value #MAX_CONTAINER_MESSAGE_BYTES} bytes of the
 *       file the container wrote at {@code terminationMessagePath} ({@code tail.ReadAtMost}).</li>
 *   <li>{@code FallbackToLogsOnError}: the same, but if that is empty (or there is no file) and
 *       the container failed (exit code not 0, and it did start: reason not
 *       {@code ContainerCannotRun}/{@code StartError}), the end of its log: the last
 *       {@value #MAX_LOG_LINES} lines, at most {@value #MAX_LOG_BYTES} bytes.</li>
 * </ul>
 *
 * A pod may hold at most {@value #MAX_POD_BYTES} bytes of messages, shared evenly by its
 * containers ({@link #limit(Pod, PodStatus)}, kubelet's status manager {@code normalizeStatus}).
 *
 * <p>The file read is the host file that the node bind-mounted at the container's path, never a
 * path inside the container's root filesystem; it is opened without following a symbolic link
 * and must be a regular file. Stateless; thread safe.
 */
public final class TerminationMessages {
    /** {@code kubecontainer.MaxContainerTerminationMessageLength}. */
    public static final int MAX_CONTAINER_MESSAGE_BYTES = 4096;
    /** {@code kubecontainer.MaxContainerTerminationMessageLogLength}. */
    public static final int MAX_LOG_BYTES = 2048;
    /** {@code kubecontainer.MaxContainerTerminationMessageLogLines}. */
    public static final int MAX_LOG_LINES = 80;
    /** {@code kubecontainer.MaxPodTerminationMessageLogLength}. */
    public static final int MAX_POD_BYTES = 12 * 1024;
    public static final String FILE = "File";
    public static final String FALLBACK_TO_LOGS_ON_ERROR = "FallbackToLogsOnError";

    private TerminationMessages() {}

    /**
     * The termination message of a container that exited; empty if it left none.
     *
     * @param terminationFile the host file mounted at {@code terminationMessagePath}; null when
     *                        the container has no {@code terminationMessagePath}
     * @param log             the container's CRI-format log
     * @param reason          the runtime's reason for the exit ({@code Error}, {@code StartError}, ...)
     */
    public static String read(Container container, Path terminationFile, Path log, int exitCode, String reason) {
        boolean fallback = FALLBACK_TO_LOGS_ON_ERROR.equals(container.getTerminationMessagePolicy())
                && exitCode != 0 && !"ContainerCannotRun".equals(reason) && !"StartError".equals(reason);
        String path = container.getTerminationMessagePath();
        if (terminationFile == null || path == null || path.isEmpty()) return fallback ? fromLog(log) : "";
        byte[] data;
        try {
            data = tail(terminationFile, MAX_CONTAINER_MESSAGE_BYTES);
        } catch (NoSuchFileException e) {
            return fallback ? fromLog(log) : "";
        } catch (IOException e) {
            return "Error on reading termination log " + terminationFile + ": " + e.getMessage();
        }
        if (data.length == 0 && fallback) return fromLog(log);
        return new String(data, StandardCharsets.UTF_8);
    }

    /** The end of a container's log as a termination message ({@code readLastStringFromContainerLogs}). */
    public static String fromLog(Path log) {
        if (log == null) return "";
        try {
            return new String(CriLogTail.read(log, MAX_LOG_LINES, MAX_LOG_BYTES), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "Error on reading termination message from logs: failed to open log file " + GoText.quote(log.toString())
                    + ": no such file or directory";
        } catch (IOException e) {
            return "Error on reading termination message from logs: " + e.getMessage();
        }
    }

    /**
     * The terminated state's message: kubelet appends the termination message to the runtime's
     * own message, as {@code "<runtime message>: <termination message>"}.
     */
    public static String withRuntimeMessage(String runtimeMessage, String terminationMessage) {
        if (terminationMessage == null || terminationMessage.isEmpty()) return runtimeMessage == null ? "" : runtimeMessage;
        if (runtimeMessage == null || runtimeMessage.isEmpty()) return terminationMessage;
        return runtimeMessage + ": " + terminationMessage;
    }

    /** Each container's share of {@link #MAX_POD_BYTES}: divided by the number of init and regular containers. */
    public static int bytesPerContainer(Pod pod) {
        int n = pod.getSpec().getContainers().size() + pod.getSpec().getInitContainers().size();
        return n > 0 ? MAX_POD_BYTES / n : MAX_POD_BYTES;
    }

    /** Cuts every terminated message in {@code status} (state and lastState, all kinds of container) to the pod's share. */
    public static void limit(Pod pod, PodStatus status) {
        int max = bytesPerContainer(pod);
        for (var list : List.of(status.getInitContainerStatuses(), status.getContainerStatuses(), status.getEphemeralContainerStatuses())) {
            if (list == null) continue;
            for (ContainerStatus s : list) {
                limit(s.getState(), max);
                limit(s.getLastState(), max);
            }
        }
    }

    private static void limit(ContainerState state, int max) {
        if (state == null || state.getTerminated() == null || state.getTerminated().getMessage() == null) return;
        state.getTerminated().setMessage(Utf8.firstBytes(state.getTerminated().getMessage(), max));
    }

    /** The last {@code max} bytes of a regular file, not following a symbolic link. */
    private static byte[] tail(Path file, int max) throws IOException {
        var attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attrs.isSymbolicLink()) throw new IOException("is a symbolic link; not following it");
        if (!attrs.isRegularFile()) throw new IOException("not a regular file");
        try (var ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            long from = Math.max(0, size - max);
            var buf = ByteBuffer.allocate((int) (size - from));
            while (buf.hasRemaining()) {
                if (ch.read(buf, from + buf.position()) <= 0) break; // the file shrank meanwhile
            }
            byte[] data = Arrays.copyOf(buf.array(), buf.position());
            return from == 0 ? data : Utf8.fromCharStart(data);
        }
    }
}
