package dev.peapod.apiserver;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The DeleteOptions kubectl's typed client sends as protobuf (kubectl drain --disable-eviction, kubectl delete). */
class ProtobufDeleteOptionsTest {
    /** A length-delimited field. */
    static void field(ByteArrayOutputStream out, int number, byte[] value) {
        out.write(number << 3 | 2);
        out.write(value.length);
        out.writeBytes(value);
    }

    static byte[] deleteOptions(byte[] raw) {
        var typeMeta = new ByteArrayOutputStream();
        field(typeMeta, 1, "v1".getBytes(StandardCharsets.UTF_8));
        field(typeMeta, 2, "DeleteOptions".getBytes(StandardCharsets.UTF_8));
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'k', '8', 's', 0});
        field(out, 1, typeMeta.toByteArray());
        field(out, 2, raw);
        return out.toByteArray();
    }

    @Test
    void aGracePeriodOfZeroIsKeptAsItMeansNow() {
        var o = Protobuf.decode(deleteOptions(new byte[] {1 << 3, 0}));
        assertThat(o.path("gracePeriodSeconds").isNumber()).isTrue();
        assertThat(o.path("gracePeriodSeconds").asLong()).isZero();
    }

    @Test
    void gracePeriodPreconditionsAndPropagationPolicyAreDecoded() {
        var raw = new ByteArrayOutputStream();
        raw.writeBytes(new byte[] {1 << 3, 5});
        var pre = new ByteArrayOutputStream();
        field(pre, 1, "u-1".getBytes(StandardCharsets.UTF_8));
        field(raw, 2, pre.toByteArray());
        field(raw, 4, "Background".getBytes(StandardCharsets.UTF_8));
        var o = Protobuf.decode(deleteOptions(raw.toByteArray()));
        assertThat(o.toString()).isEqualTo(
                "{\"apiVersion\":\"v1\",\"kind\":\"DeleteOptions\",\"gracePeriodSeconds\":5,\"preconditions\":{\"uid\":\"u-1\"},\"propagationPolicy\":\"Background\"}");
        assertThat(Protobuf.decode(deleteOptions(new byte[0])).has("gracePeriodSeconds")).isFalse(); // unset: the pod's own
    }
}
