package dev.peapod.node.volume;

import java.util.Arrays;

/**
 * One file of a volume payload: its bytes and its permission bits (kubelet's
 * {@code volumeutil.FileProjection}). Compared by content, so that an unchanged payload is
 * recognised and not rewritten.
 */
public record FileProjection(byte[] data, int mode) {
    public FileProjection {
        data = data.clone();
        if (mode < 0 || mode > 0777) throw new IllegalArgumentException("file mode out of range: " + Integer.toOctalString(mode));
    }

    @Override
    public byte[] data() { return data.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileProjection f && f.mode == mode && Arrays.equals(f.data, data);
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(data) + mode; }

    @Override
    public String toString() { return "FileProjection[" + data.length + " bytes, mode " + Integer.toOctalString(mode) + "]"; }
}
