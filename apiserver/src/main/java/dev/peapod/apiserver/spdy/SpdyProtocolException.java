package dev.peapod.apiserver.spdy;

/**
 * A frame the codec refuses. {@code streamId} 0 (or {@link #session}): the session cannot go on
 * (GOAWAY with PROTOCOL_ERROR, then close); otherwise only that stream is reset with {@code status}.
 */
public final class SpdyProtocolException extends Exception {
    private final int streamId;
    private final int status;
    private final boolean session;

    SpdyProtocolException(String message) {
        this(message, 0, SpdyFrame.PROTOCOL_ERROR, true);
    }

    SpdyProtocolException(String message, int streamId, int status, boolean session) {
        super(message);
        this.streamId = streamId;
        this.status = status;
        this.session = session;
    }

    public int streamId() { return streamId; }

    /** The RST_STREAM status for a stream error. */
    public int status() { return status; }

    /** Whether the whole session must end (the compression context may be out of step, or framing is lost). */
    public boolean session() { return session; }
}
