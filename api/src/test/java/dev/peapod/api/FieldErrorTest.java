package dev.peapod.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/** {@link FieldError#toString()} must print exactly what {@code (*field.Error).Error()} prints. */
class FieldErrorTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                argumentSet("duplicate value quotes the string",
                        FieldError.duplicate("spec.containers[1].name", "app"),
                        "spec.containers[1].name: Duplicate value: \"app\""),
                argumentSet("required value prints no value and no empty detail",
                        FieldError.required("spec.containers[0].image", ""),
                        "spec.containers[0].image: Required value"),
                argumentSet("required value with detail",
                        FieldError.required("metadata.name", "name or generateName is required"),
                        "metadata.name: Required value: name or generateName is required"),
                argumentSet("unsupported value lists the supported ones quoted, in order",
                        FieldError.notSupported("spec.restartPolicy", "Sometimes", List.of("Always", "OnFailure", "Never")),
                        "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""),
                argumentSet("invalid number prints bare",
                        FieldError.invalid("spec.containers[0].ports[0].containerPort", 70000L, "must be between 1 and 65535, inclusive"),
                        "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"),
                argumentSet("null value prints as the quoted word null, as Go does",
                        FieldError.invalid("spec.x", null, "bad"),
                        "spec.x: Invalid value: \"null\": bad"),
                argumentSet("forbidden prints only the detail",
                        FieldError.forbidden("spec.initContainers[0].livenessProbe", "may not be set for init containers without restartPolicy=Always"),
                        "spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"),
                argumentSet("not found quotes the value",
                        FieldError.notFound("spec.containers[0].volumeMounts[0].name", "data"),
                        "spec.containers[0].volumeMounts[0].name: Not found: \"data\""),
                argumentSet("too long never prints the value",
                        FieldError.tooLong("metadata.annotations", 262144),
                        "metadata.annotations: Too long: must have at most 262144 bytes"),
                argumentSet("too many prints the count",
                        FieldError.tooMany("spec.containers[0].restartPolicyRules", 21, 20),
                        "spec.containers[0].restartPolicyRules: Too many: 21: must have at most 20 items"),
                argumentSet("string list prints like Go's %#v",
                        FieldError.invalid("spec.dnsConfig.nameservers", List.of("1.1.1.1", "8.8.8.8"), "x"),
                        "spec.dnsConfig.nameservers: Invalid value: []string{\"1.1.1.1\", \"8.8.8.8\"}: x"),
                argumentSet("control characters and quotes are escaped like strconv.Quote",
                        FieldError.invalid("a", "tab\there \"q\" nl\n bell\u0007 back\\slash é", null),
                        "a: Invalid value: \"tab\\there \\\"q\\\" nl\\n bell\\a back\\\\slash é\""),
                argumentSet("non-printable code points use \\x and \\u escapes",
                        FieldError.invalid("a", "\u0001\u200b", null),
                        "a: Invalid value: \"\\x01\\u200b\""));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void printsLikeKubeApiserver(FieldError error, String expected) {
        assertThat(error.toString()).isEqualTo(expected);
    }
}
