package io.ingestd.stream;

import org.jspecify.annotations.Nullable;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads one field type as declared ({@code int64}, {@code decimal(18,2)}, {@code text(16)}, ..., with an
 * optional least value {@code >= 0} for the numeric types); errors are the text after {@code <key>: }.
 */
final class TypeDeclaration {
    static final String TYPES = "int64, decimal(p,s), text(n), boolean, date, timestamp";
    private static final Pattern DECIMAL = Pattern.compile("decimal\\((\\d{1,3}),(\\d{1,3})\\)");
    private static final Pattern TEXT = Pattern.compile("text\\((\\d{1,6})\\)");

    /** The type, or the reason it is not one. */
    sealed interface Outcome {
        record Valid(FieldType type) implements Outcome {}

        record Invalid(String message) implements Outcome {}
    }

    private TypeDeclaration() {}

    static Outcome parse(String field, String declared, @Nullable ZoneId zone) {
        String text = declared.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
        String min = null;
        int ge = text.indexOf(">=");
        if (ge >= 0) {
            min = text.substring(ge + 2);
            text = text.substring(0, ge);
        }
        var type = base(field, text, zone);
        if (min == null || type instanceof Outcome.Invalid) return type;
        return withMin(field, ((Outcome.Valid) type).type(), min);
    }

    private static Outcome base(String field, String text, @Nullable ZoneId zone) {
        switch (text) {
            case "int64" -> {
                return new Outcome.Valid(Int64Type.ANY);
            }
            case "boolean" -> {
                return new Outcome.Valid(BooleanType.INSTANCE);
            }
            case "date" -> {
                return new Outcome.Valid(DateType.INSTANCE);
            }
            case "timestamp" -> {
                return new Outcome.Valid(new TimestampType(zone));
            }
            default -> {}
        }
        var d = DECIMAL.matcher(text);
        if (d.matches()) {
            int p = Integer.parseInt(d.group(1)), s = Integer.parseInt(d.group(2));
            if (p < 1 || p > DecimalType.MAX_PRECISION) {
                return error(field + ": " + text + ": the precision must be 1 to " + DecimalType.MAX_PRECISION);
            }
            if (s > p) return error(field + ": " + text + ": the scale must not exceed the precision");
            return new Outcome.Valid(new DecimalType(p, s, null));
        }
        var t = TEXT.matcher(text);
        if (t.matches()) {
            int n = Integer.parseInt(t.group(1));
            if (n < 1 || n > TextType.MAX_LENGTH) {
                return error(field + ": " + text + ": the length must be 1 to " + TextType.MAX_LENGTH);
            }
            return new Outcome.Valid(new TextType(n));
        }
        if (text.startsWith("decimal"))
            return error(field + ": expected decimal(p,s), e.g. decimal(18,2), got '" + text + "'");
        if (text.startsWith("text")) return error(field + ": expected text(n), e.g. text(64), got '" + text + "'");
        return error("unknown type '" + text + "' for field " + field + " (types: " + TYPES + ")");
    }

    /** The least value is read by the type itself, so it obeys the same digits rules as the values. */
    private static Outcome withMin(String field, FieldType type, String min) {
        if (!(type instanceof Int64Type || type instanceof DecimalType)) {
            return error(field + ": a minimum (>=) is allowed only for int64 and decimal");
        }
        var probe = new Column(new Field(field, type, false), 1);
        byte[] bytes = min.getBytes(StandardCharsets.UTF_8);
        var rejected = bytes.length == 0 ? null : type.parse(bytes, 0, bytes.length, probe, 0);
        if (bytes.length == 0 || rejected != null) {
            return error(field + ": the minimum '" + min + "' is not a valid " + type.declaration());
        }
        return switch (type) {
            case Int64Type _ -> new Outcome.Valid(new Int64Type(probe.longAt(0)));
            case DecimalType d -> new Outcome.Valid(new DecimalType(d.precision(), d.scale(), new BigDecimal(min)));
            default -> throw new IllegalStateException(type.declaration());
        };
    }

    private static Outcome error(String message) {
        return new Outcome.Invalid(message);
    }
}
