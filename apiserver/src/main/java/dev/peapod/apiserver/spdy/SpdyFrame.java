package dev.peapod.apiserver.spdy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The frames of SPDY/3.1 (draft-mbelshe-httpbis-spdy-00 for SPDY/3, plus the 3.1 session-level
 * WINDOW_UPDATE on stream 0), as Kubernetes' streaming protocols use them (k8s.io/apimachinery
 * util/httpstream/spdy over moby/spdystream). Header names are lowercase; a header may have several
 * values (NUL-separated on the wire). Pure data: encoding and decoding are in {@link SpdyCodec}.
 */
public sealed interface SpdyFrame {
    /** Control flag FIN (SYN_STREAM, SYN_REPLY, HEADERS) and data flag FIN. */
    int FLAG_FIN = 0x01;
    /** SYN_STREAM's UNIDIRECTIONAL flag. */
    int FLAG_UNIDIRECTIONAL = 0x02;

    /** RST_STREAM status codes (section 2.6.3). */
    int PROTOCOL_ERROR = 1, INVALID_STREAM = 2, REFUSED_STREAM = 3, UNSUPPORTED_VERSION = 4, CANCEL = 5,
            INTERNAL_ERROR = 6, FLOW_CONTROL_ERROR = 7, STREAM_IN_USE = 8, STREAM_ALREADY_CLOSED = 9, FRAME_TOO_LARGE = 11;
    /** SETTINGS id of the initial per-stream window. */
    int SETTINGS_INITIAL_WINDOW_SIZE = 7;

    /** DATA: {@code data} for {@code streamId}; {@code fin}: the sender's last frame on it. */
    record Data(int streamId, boolean fin, byte[] data) implements SpdyFrame {
        @Override public boolean equals(Object o) {
            return o instanceof Data d && d.streamId == streamId && d.fin == fin && Arrays.equals(d.data, data);
        }

        @Override public int hashCode() { return streamId * 31 + Arrays.hashCode(data) + (fin ? 1 : 0); }

        @Override public String toString() { return "Data[" + streamId + (fin ? ", fin" : "") + ", " + data.length + " bytes]"; }
    }

    /** SYN_STREAM: the peer opens {@code streamId} (client-initiated ids are odd). Priority 0 (highest) to 7. */
    record SynStream(int streamId, int associatedTo, int priority, boolean fin, boolean unidirectional,
                     Map<String, List<String>> headers) implements SpdyFrame {}

    /** SYN_REPLY: the receiver of a SYN_STREAM accepts it. */
    record SynReply(int streamId, boolean fin, Map<String, List<String>> headers) implements SpdyFrame {}

    /** RST_STREAM: the stream ends abnormally. */
    record RstStream(int streamId, int status) implements SpdyFrame {}

    /** One SETTINGS entry: flags (8 bits), id (24 bits), value. */
    record Setting(int flags, int id, int value) {}

    record Settings(boolean clear, List<Setting> entries) implements SpdyFrame {}

    /** PING: the receiver echoes a ping whose id has the other parity than its own (client ids are odd). */
    record Ping(int id) implements SpdyFrame {}

    /** GOAWAY: no new streams after {@code lastGoodStreamId}; status 0 OK, 1 protocol error, 2 internal error. */
    record GoAway(int lastGoodStreamId, int status) implements SpdyFrame {}

    /** HEADERS: more headers for an open stream. */
    record Headers(int streamId, boolean fin, Map<String, List<String>> headers) implements SpdyFrame {}

    /** WINDOW_UPDATE: the sender may send {@code delta} more bytes on {@code streamId} (0: the whole session, SPDY/3.1). */
    record WindowUpdate(int streamId, int delta) implements SpdyFrame {}
}
