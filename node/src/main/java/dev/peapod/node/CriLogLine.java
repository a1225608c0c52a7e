package dev.peapod.node;

/**
 * One line of a CRI-format container log, as conmon's k8s-file driver writes it:
 * {@code <RFC3339Nano timestamp> <stdout|stderr> <F|P> <content>} — P marks a partial line that
 * continues in the next record (https://github.com/kubernetes/design-proposals-archive/blob/main/node/kubelet-cri-logging.md).
 */
public record CriLogLine(String timestamp, String stream, boolean partial, String content) {

    /** Parses one record; a malformed one is returned whole as stdout content. */
    public static CriLogLine parse(String line) {
        int a = line.indexOf(' ');
        int b = a < 0 ? -1 : line.indexOf(' ', a + 1);
        int c = b < 0 ? -1 : line.indexOf(' ', b + 1);
        if (a < 0 || b < 0) return new CriLogLine("", "stdout", false, line);
        String stream = line.substring(a + 1, b);
        String tag = c < 0 ? line.substring(b + 1) : line.substring(b + 1, c);
        String content = c < 0 ? "" : line.substring(c + 1);
        return new CriLogLine(line.substring(0, a), stream, tag.startsWith("P"), content);
    }
}
