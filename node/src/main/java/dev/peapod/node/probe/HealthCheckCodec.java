package dev.peapod.node.probe;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The two protobuf messages of {@code grpc.health.v1}
 * (https://github.com/grpc/grpc/blob/master/doc/health-checking.md), encoded by hand so that
 * probing needs no protobuf runtime:
 * <pre>
 * message HealthCheckRequest  { string service = 1; }
 * message HealthCheckResponse { enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
 *                               ServingStatus status = 1; }
 * </pre>
 * Proto3 leaves default values out: an empty service is an empty message, an empty response is
 * UNKNOWN. Unknown fields are skipped, as any protobuf parser does.
 */
final class HealthCheckCodec {
    static final int SERVING = 1;
    private static final String[] NAMES = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};

    private HealthCheckCodec() {}

    static byte[] request(String service) {
        if (service.isEmpty()) return new byte[0];
        byte[] text = service.getBytes(StandardCharsets.UTF_8);
        var out = new ByteArrayOutputStream(text.length + 6);
        out.write(0x0A); // field 1, wire type 2 (length-delimited)
        varint(out, text.length);
        out.writeBytes(text);
        return out.toByteArray();
    }

    /** The {@code status} field of a response. */
    static int status(byte[] message) {
        var in = new Reader(message);
        int status = 0;
        while (in.more()) {
            long tag = in.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 1 && wire == 0) {
                status = (int) in.varint();
            } else {
                in.skip(wire);
            }
        }
        return status;
    }

    static String name(int status) {
        return status >= 0 && status < NAMES.length ? NAMES[status] : Integer.toString(status);
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    private static final class Reader {
        private final byte[] bytes;
        private int pos;

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        boolean more() {
            return pos < bytes.length;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= bytes.length) throw new IllegalArgumentException("truncated varint");
                byte b = bytes[pos++];
                value |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) return value;
            }
            throw new IllegalArgumentException("malformed varint");
        }

        void skip(int wire) {
            long n = switch (wire) {
                case 0 -> { varint(); yield 0; }
                case 1 -> 8;
                case 2 -> varint();
                case 5 -> 4;
                default -> throw new IllegalArgumentException("unsupported wire type " + wire);
            };
            if (n < 0 || n > bytes.length - pos) throw new IllegalArgumentException("truncated field");
            pos += (int) n;
        }
    }
}
