package dev.peapod.api;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.AnnotatedClass;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.Quantity;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.IOException;
import java.io.Serial;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The one shared Jackson setup, built on first use (holder idiom) so that a CLI that never touches
 * manifests pays nothing. One {@link JsonMapper} does all tree-to-object conversion and JSON output;
 * YAML is only a different parser/generator in front of it, so bean (de)serializers are built once.
 *
 * <p>Decoding is strict the way kube-apiserver's is (sigs.k8s.io/json strict mode): fabric8's model
 * classes would swallow unknown fields into {@code additionalProperties}, so their any-setters are
 * switched off and unknown fields are collected (with Kubernetes-style paths) instead; scalars are
 * never coerced ({@code "80"} is not an int, {@code 8080} is not a string, as in Go's encoding/json).
 *
 * <p>YAML output quotes by YAML 1.1 rules ({@link Yaml11QuotingChecker}) and escapes odd line breaks
 * ({@link KubeYamlFactory}), so printed text reads back identically ({@code RoundTripTest}).
 *
 * <p>Cost, measured on the build host (JDK 25, no CDS archive for the app): building the mapper takes
 * ~120 ms and the first Pod ~200 ms more, nearly all class loading (~2,600 classes, 430 of them
 * fabric8 model classes reachable from Pod). Later documents take a few milliseconds. An AOT cache
 * (JEP 483) in the launcher is the lever for CLI start-up; nothing here scans the classpath.
 * Immutable after construction, therefore thread-safe.
 */
final class Codec {
    /** Reader attribute holding the {@code List<String>} that collects unknown-field paths for one call. */
    static final String UNKNOWN_FIELDS = "peapod.unknownFields";

    private Codec() { }

    static JsonMapper mapper() { return Holder.MAPPER; }

    static YAMLFactory yaml() { return Holder.YAML; }

    static JsonFactory json() { return Holder.MAPPER.getFactory(); }

    static DefaultPrettyPrinter prettyPrinter() { return Holder.PRETTY; }

    private static final class Holder {
        static final JsonMapper MAPPER = buildMapper();
        static final YAMLFactory YAML = new KubeYamlFactory(YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .disable(YAMLGenerator.Feature.SPLIT_LINES)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
                .stringQuotingChecker(new Yaml11QuotingChecker()));
        // kubectl -o json: four-space indent, "key": value, empty collections as [] and {}.
        static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("").withArrayEmptySeparator(""))
                .withObjectIndenter(new DefaultIndenter("    ", "\n"))
                .withArrayIndenter(new DefaultIndenter("    ", "\n"));
    }

    private static JsonMapper buildMapper() {
        return JsonMapper.builder()
                .annotationIntrospector(new StrictIntrospector())
                .addHandler(new UnknownFieldCollector())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                // An explicit null list or map decodes as empty, as in Go, not as a Java null.
                .withConfigOverride(List.class, o -> o.setSetterInfo(JsonSetter.Value.forValueNulls(Nulls.SKIP)))
                .withConfigOverride(Map.class, o -> o.setSetterInfo(JsonSetter.Value.forValueNulls(Nulls.SKIP)))
                .withCoercionConfig(LogicalType.Textual, c -> c
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .build();
    }

    /**
     * Turns off fabric8's catch-all any-setters (so unknown fields reach the problem handler) and
     * decodes quantities strictly. {@link FieldsV1} stays free-form: managedFields really are opaque.
     */
    private static final class StrictIntrospector extends JacksonAnnotationIntrospector {
        @Serial private static final long serialVersionUID = 1L;
        private static final StrictQuantityDeserializer QUANTITY = new StrictQuantityDeserializer();

        @Override
        public Boolean hasAnySetter(Annotated a) {
            Boolean declared = super.hasAnySetter(a);
            if (Boolean.TRUE.equals(declared) && a instanceof AnnotatedMember m
                    && m.getDeclaringClass() != FieldsV1.class
                    && m.getDeclaringClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
                return Boolean.FALSE;
            }
            return declared;
        }

        @Override
        public Object findDeserializer(Annotated a) {
            if (a instanceof AnnotatedClass c && c.getRawType() == Quantity.class) {
                return QUANTITY;
            }
            return super.findDeserializer(a);
        }
    }

    /** Records {@code spec.containers[0].imagee}-style paths of unknown fields and skips their values. */
    private static final class UnknownFieldCollector extends DeserializationProblemHandler {
        @Override
        @SuppressWarnings("unchecked")
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p,
                                             JsonDeserializer<?> deserializer, Object bean, String name)
                throws IOException {
            Object sink = ctxt.getAttribute(UNKNOWN_FIELDS);
            if (sink == null) {
                return false;
            }
            ((List<String>) sink).add(pathOf(p, name));
            p.skipChildren();
            return true;
        }

        private static String pathOf(JsonParser p, String name) {
            JsonStreamContext context = p.getParsingContext();
            JsonToken token = p.currentToken();
            if (token != null && token.isStructStart()) {
                context = context.getParent(); // the parser already entered the unknown field's value
            }
            Deque<String> segments = new ArrayDeque<>();
            segments.push(name);
            for (JsonStreamContext c = context.getParent(); c != null && !c.inRoot(); c = c.getParent()) {
                segments.push(c.inArray() ? "[" + c.getCurrentIndex() + "]" : c.getCurrentName());
            }
            StringBuilder s = new StringBuilder();
            for (String seg : segments) {
                if (!s.isEmpty() && !seg.startsWith("[")) {
                    s.append('.');
                }
                s.append(seg);
            }
            return s.toString();
        }
    }

    /**
     * Quotes every string that a YAML 1.1 reader would not read back as a string: kubectl's go-yaml
     * turns plain {@code yes}, {@code 0x1F}, {@code 12:30} or {@code 2001-01-01} into non-strings, and
     * so does our own parser for several of them. snakeyaml's resolver implements exactly those rules.
     */
    private static final class Yaml11QuotingChecker extends StringQuotingChecker.Default {
        @Serial private static final long serialVersionUID = 1L;
        private static final Resolver RESOLVER = new Resolver();

        @Override
        public boolean needToQuoteName(String name) {
            return super.needToQuoteName(name) || notPlainString(name);
        }

        @Override
        public boolean needToQuoteValue(String value) {
            return super.needToQuoteValue(value) || notPlainString(value);
        }

        private static boolean notPlainString(String s) {
            return !Tag.STR.equals(RESOLVER.resolve(NodeId.scalar, s, true));
        }
    }
}
