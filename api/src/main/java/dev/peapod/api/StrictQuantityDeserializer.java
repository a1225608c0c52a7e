package dev.peapod.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import io.fabric8.kubernetes.api.model.Quantity;

import java.io.IOException;
import java.io.Serial;

/**
 * Decodes a quantity like {@code resource.Quantity.UnmarshalJSON}: a string or a number, trimmed,
 * that {@code ParseQuantity} accepts. fabric8's own deserializer accepts any text ({@code cpu: abc}),
 * which kube-apiserver rejects at decode time with {@link Quantities#FORMAT_ERROR}.
 */
final class StrictQuantityDeserializer extends StdDeserializer<Quantity> {
    @Serial private static final long serialVersionUID = 1L;

    StrictQuantityDeserializer() {
        super(Quantity.class);
    }

    @Override
    public Quantity deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        String text = switch (p.currentToken()) {
            case VALUE_STRING -> p.getText().strip();
            case VALUE_NUMBER_INT -> p.getBigIntegerValue().toString();
            case VALUE_NUMBER_FLOAT -> p.getDecimalValue().toPlainString();
            default -> null;
        };
        if (text == null) {
            return (Quantity) ctxt.handleUnexpectedToken(Quantity.class, p);
        }
        try {
            Quantities.value(text);
        } catch (IllegalArgumentException e) {
            throw InvalidFormatException.from(p, e.getMessage(), text, Quantity.class);
        }
        return new Quantity(text);
    }
}
