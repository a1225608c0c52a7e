package dev.peapod.api;

import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Map;

/**
 * Resource quantities with the semantics of {@code k8s.io/apimachinery/pkg/api/resource}:
 * strict parsing (same accepted syntax and error text as {@code ParseQuantity}), values rounded up
 * away from zero like {@code Value()}/{@code MilliValue()}, and the canonical text that
 * {@code Quantity.String()} prints ({@code 0.5} becomes {@code 500m}, {@code 1536Mi} stays,
 * {@code 2000} becomes {@code 2k}). fabric8's {@link Quantity} only carries the text; this class
 * gives it numbers. Stateless and thread-safe.
 */
public final class Quantities {
    /** {@code resource.ErrFormatWrong}. */
    public static final String FORMAT_ERROR =
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
    /** {@code resource.ErrSuffix}. */
    public static final String SUFFIX_ERROR = "unable to parse quantity's suffix";

    private static final BigInteger KI = BigInteger.valueOf(1024);
    private static final Map<String, Integer> DECIMAL_EXPONENTS = Map.of(
            "n", -9, "u", -6, "m", -3, "", 0, "k", 3, "M", 6, "G", 9, "T", 12, "P", 15, "E", 18);
    private static final Map<String, Integer> BINARY_POWERS = Map.of(
            "Ki", 1, "Mi", 2, "Gi", 3, "Ti", 4, "Pi", 5, "Ei", 6);
    private static final String[] BINARY_SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

    private Quantities() { }

    private enum Format { DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT }

    private record Parsed(BigDecimal value, Format format) { }

    /** Parses {@code text} strictly; throws IllegalArgumentException with Kubernetes' error text. */
    public static BigDecimal value(String text) {
        return parse(text).value;
    }

    /** The numeric value of {@code q}; throws IllegalArgumentException if its text is not a quantity. */
    public static BigDecimal value(Quantity q) {
        return value(text(q));
    }

    /** True if {@code text} is a quantity kube-apiserver would accept. */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code Quantity.Value()}: the value in units (bytes for memory), rounded up away from zero. */
    public static long bytes(Quantity q) {
        return value(q).setScale(0, RoundingMode.UP).longValueExact();
    }

    /** {@code Quantity.MilliValue()}: the value in thousandths (millicores for CPU), rounded up away from zero. */
    public static long milliCpu(Quantity q) {
        return value(q).movePointRight(3).setScale(0, RoundingMode.UP).longValueExact();
    }

    /** The text {@code Quantity.String()} prints for {@code q}. */
    public static String canonical(Quantity q) {
        return canonical(text(q));
    }

    /** The text {@code Quantity.String()} prints for the quantity written as {@code text}. */
    public static String canonical(String text) {
        Parsed p = parse(text);
        return format(p.value, p.format);
    }

    /**
     * {@code Quantity.RoundUp(-3)} then canonical text: what {@code SetDefaults_ResourceList} stores
     * for every resource list entry (values finer than a milli-unit are rounded up).
     */
    static Quantity roundUpToMilli(Quantity q) {
        Parsed p = parse(text(q));
        BigDecimal v = p.value.scale() > 3 ? p.value.setScale(3, RoundingMode.UP) : p.value;
        return new Quantity(format(v, p.format));
    }

    static String text(Quantity q) {
        String amount = q.getAmount() == null ? "" : q.getAmount();
        return q.getFormat() == null ? amount : amount + q.getFormat();
    }

    private static Parsed parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException(FORMAT_ERROR);
        }
        int i = 0;
        if (text.charAt(0) == '+' || text.charAt(0) == '-') {
            i++;
        }
        int numberStart = i;
        boolean digit = false;
        boolean dot = false;
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c == '.' && !dot) {
                dot = true;
            } else {
                break;
            }
        }
        if (!digit) {
            throw new IllegalArgumentException(FORMAT_ERROR);
        }
        BigDecimal number = new BigDecimal(text.substring(numberStart, i));
        if (text.charAt(0) == '-') {
            number = number.negate();
        }
        return applySuffix(number, text.substring(i));
    }

    private static Parsed applySuffix(BigDecimal number, String suffix) {
        if (!suffix.matches("[eEinumkKMGTP]*[-+]?[0-9]*")) {
            throw new IllegalArgumentException(FORMAT_ERROR);
        }
        BigDecimal value;
        Format format;
        if (DECIMAL_EXPONENTS.containsKey(suffix)) {
            value = number.scaleByPowerOfTen(DECIMAL_EXPONENTS.get(suffix));
            format = Format.DECIMAL_SI;
        } else if (BINARY_POWERS.containsKey(suffix)) {
            value = number.multiply(new BigDecimal(KI.pow(BINARY_POWERS.get(suffix))));
            format = Format.BINARY_SI;
        } else if (suffix.matches("[eE][-+]?[0-9]+")) {
            value = number.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
            format = Format.DECIMAL_EXPONENT;
        } else {
            throw new IllegalArgumentException(SUFFIX_ERROR);
        }
        // Quantities keep at most nano precision; finer values are rounded up (ParseQuantity).
        if (value.scale() > 9) {
            value = value.setScale(9, RoundingMode.UP);
        }
        return new Parsed(value, format);
    }

    private static String format(BigDecimal value, Format format) {
        if (value.signum() == 0) {
            return "0";
        }
        if (format == Format.BINARY_SI && value.abs().compareTo(BigDecimal.valueOf(1024)) >= 0
                && value.stripTrailingZeros().scale() <= 0) {
            return formatBinary(value.toBigIntegerExact());
        }
        return formatDecimal(value, format == Format.DECIMAL_EXPONENT);
    }

    private static String formatBinary(BigInteger v) {
        int power = 0;
        while (power < BINARY_SUFFIXES.length - 1 && v.mod(KI).signum() == 0) {
            v = v.divide(KI);
            power++;
        }
        return v + BINARY_SUFFIXES[power];
    }

    /** AsCanonicalBytes: strip factors of ten, then lower the exponent to a multiple of three. */
    private static String formatDecimal(BigDecimal value, boolean exponentForm) {
        BigDecimal stripped = value.stripTrailingZeros();
        BigInteger mantissa = stripped.unscaledValue();
        int exponent = -stripped.scale();
        int extra = Math.floorMod(exponent, 3);
        mantissa = mantissa.multiply(BigInteger.TEN.pow(extra));
        exponent -= extra;
        if (exponentForm) {
            return exponent == 0 ? mantissa.toString() : mantissa + "e" + exponent;
        }
        for (Map.Entry<String, Integer> e : DECIMAL_EXPONENTS.entrySet()) {
            if (e.getValue() == exponent) {
                return mantissa + e.getKey();
            }
        }
        return mantissa + "e" + exponent;
    }
}
