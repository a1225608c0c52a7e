package dev.peapod.node.lifecycle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;

import static java.nio.charset.StandardCharsets.US_ASCII;

/**
 * The end of a container's CRI-format log (what conmon's k8s-file driver writes), as kubelet's
 * {@code readLastStringFromContainerLogs} reads it: the last {@code lines} lines of the file
 * ({@code tail.FindTailLineStartIndex}: complete lines, plus an unfinished last one), each parsed
 * as {@code <RFC3339Nano> <stdout|stderr> <P|F>[:more tags] <text>} ({@code parseCRILog}), the
 * text of both streams in file order, a full ({@code F}) line keeping its newline and a partial
 * ({@code P}) one losing it, so that a long line split by the runtime joins up again; a line that
 * does not parse is skipped. Of that text the last {@code maxBytes} are kept (kubelet's circular
 * buffer), starting at a character boundary.
 */
final class CriLogTail {
    private static final int BLOCK = 4096;
    private static final int MAX_WINDOW = 4 << 20;
    private static final byte SPACE = ' ';

    private CriLogTail() {}

    static byte[] read(Path log, int lines, int maxBytes) throws IOException {
        try (var ch = FileChannel.open(log, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            byte[] tail = lastLines(ch, lines);
            var text = new ByteArrayOutputStream();
            int start = 0;
            while (start < tail.length) {
                int newline = indexOf(tail, start, (byte) '\n');
                int end = newline < 0 ? tail.length : newline + 1;
                parse(Arrays.copyOfRange(tail, start, end), text);
                start = end;
            }
            return Utf8.lastBytes(text.toByteArray(), maxBytes);
        }
    }

    /**
     * The bytes from the start of the last {@code n} complete lines to the end of the file, but
     * never more than {@link #MAX_WINDOW} (conmon splits long lines, so 80 real lines are far
     * less; a file without line ends must not be read whole). A window that starts mid-line
     * begins with a fragment that does not parse and is skipped.
     */
    private static byte[] lastLines(FileChannel ch, int n) throws IOException {
        long size = ch.size();
        long floor = Math.max(0, size - MAX_WINDOW);
        long from = size;
        int newlines = 0;
        // Walk back block by block until n+1 line ends are behind us: the (n+1)-th from the end
        // closes the line before the ones we keep.
        while (from > floor) {
            long blockStart = Math.max(floor, from - BLOCK);
            byte[] block = readRange(ch, blockStart, from);
            for (int i = block.length - 1; i >= 0; i--) {
                if (block[i] == '\n' && ++newlines > n) return readRange(ch, blockStart + i + 1, size);
            }
            from = blockStart;
        }
        return readRange(ch, floor, size);
    }

    /** Bytes {@code [from, to)} of the file, fewer if it ends sooner. */
    private static byte[] readRange(FileChannel ch, long from, long to) throws IOException {
        var buf = ByteBuffer.allocate((int) (to - from));
        while (buf.hasRemaining()) {
            if (ch.read(buf, from + buf.position()) <= 0) break;
        }
        return Arrays.copyOf(buf.array(), buf.position());
    }

    /** One CRI log line (with its newline, if it had one) → its text, appended to {@code out}. */
    static void parse(byte[] line, ByteArrayOutputStream out) {
        int t = indexOf(line, 0, SPACE);
        if (t < 0) return;
        try {
            OffsetDateTime.parse(new String(line, 0, t, US_ASCII));
        } catch (DateTimeParseException e) {
            return;
        }
        int s = indexOf(line, t + 1, SPACE);
        if (s < 0) return;
        String stream = new String(line, t + 1, s - t - 1, US_ASCII);
        if (!stream.equals("stdout") && !stream.equals("stderr")) return;
        int g = indexOf(line, s + 1, SPACE);
        if (g < 0) return;
        String tags = new String(line, s + 1, g - s - 1, US_ASCII);
        boolean partial = tags.split(":", -1)[0].equals("P");
        int end = line.length;
        if (partial && end > 0 && line[end - 1] == '\n') end--;
        out.write(line, g + 1, Math.max(0, end - g - 1));
    }

    private static int indexOf(byte[] line, int from, byte b) {
        for (int i = from; i < line.length; i++) if (line[i] == b) return i;
        return -1;
    }
}
