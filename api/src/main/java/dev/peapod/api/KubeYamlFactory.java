package dev.peapod.api;

import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import org.yaml.snakeyaml.DumperOptions;

import java.io.IOException;
import java.io.Serial;
import java.io.Writer;

/**
 * A YAMLFactory whose generator writes strings holding a carriage return or a Unicode line break
 * (NEL, LS, PS) double-quoted. Jackson would pick a literal block or plain style for them, and
 * snakeyaml would emit those characters raw, where a YAML reader folds or normalizes them: the text
 * would not read back as written (found by {@code RoundTripTest}).
 */
final class KubeYamlFactory extends YAMLFactory {
    @Serial private static final long serialVersionUID = 1L;

    KubeYamlFactory(YAMLFactoryBuilder builder) {
        super(builder);
    }

    @Override
    protected YAMLGenerator _createGenerator(Writer out, IOContext ctxt) throws IOException {
        return new Generator(ctxt, _generatorFeatures, _yamlGeneratorFeatures, _quotingChecker, _objectCodec, out, _version);
    }

    private static final class Generator extends YAMLGenerator {
        Generator(IOContext ctxt, int features, int yamlFeatures, StringQuotingChecker checker, ObjectCodec codec,
                  Writer out, DumperOptions.Version version) throws IOException {
            super(ctxt, features, yamlFeatures, checker, codec, out, version);
        }

        @Override
        public void writeString(String text) throws IOException {
            if (text != null && hasUnsafeBreak(text)) {
                _verifyValueWrite("write String value");
                _writeScalar(text, "string", DumperOptions.ScalarStyle.DOUBLE_QUOTED);
                return;
            }
            super.writeString(text);
        }

        private static boolean hasUnsafeBreak(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                    return true;
                }
            }
            return false;
        }
    }
}
