package dev.peapod.node.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UnknownFieldSet;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written health messages against protobuf-java's generated ones. */
class HealthCheckCodecTest {

    @Test
    void requestsParseAsProtobuf() throws Exception {
        var random = new Random(42);
        for (int i = 0; i < 200; i++) {
            String service = randomName(random, random.nextInt(300)); // past 127 bytes the length takes two varint bytes
            assertThat(HealthCheckRequest.parseFrom(HealthCheckCodec.request(service)).getService()).isEqualTo(service);
        }
        assertThat(HealthCheckCodec.request("")).isEmpty();
    }

    @Test
    void responsesDecodeWhateverTheStatus() {
        for (ServingStatus s : new ServingStatus[] {ServingStatus.UNKNOWN, ServingStatus.SERVING,
                ServingStatus.NOT_SERVING, ServingStatus.SERVICE_UNKNOWN}) {
            byte[] bytes = HealthCheckResponse.newBuilder().setStatus(s).build().toByteArray();
            assertThat(HealthCheckCodec.status(bytes)).isEqualTo(s.getNumber());
            assertThat(HealthCheckCodec.name(s.getNumber())).isEqualTo(s.name());
        }
    }

    @Test
    void unknownFieldsAreSkipped() {
        var unknown = UnknownFieldSet.newBuilder()
                .addField(7, UnknownFieldSet.Field.newBuilder().addLengthDelimited(com.google.protobuf.ByteString.copyFromUtf8("x".repeat(200))).build())
                .addField(8, UnknownFieldSet.Field.newBuilder().addFixed64(5).addFixed32(6).addVarint(1 << 20).build())
                .build();
        byte[] bytes = HealthCheckResponse.newBuilder().setStatus(ServingStatus.SERVING).setUnknownFields(unknown).build().toByteArray();

        assertThat(HealthCheckCodec.status(bytes)).isEqualTo(HealthCheckCodec.SERVING);
    }

    @Test
    void truncatedMessagesAreRejected() {
        assertThatThrownBy(() -> HealthCheckCodec.status(new byte[] {0x08})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HealthCheckCodec.status(new byte[] {0x12, 0x05, 0x01})).isInstanceOf(IllegalArgumentException.class);
    }

    private static String randomName(Random random, int length) {
        var sb = new StringBuilder();
        for (int i = 0; i < length; i++) sb.append(random.nextInt(4) == 0 ? 'é' : (char) ('a' + random.nextInt(26)));
        return sb.toString();
    }
}
