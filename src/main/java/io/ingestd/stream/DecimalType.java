package io.ingestd.stream;

import io.ingestd.stream.Rejection.Problem;
import org.jspecify.annotations.Nullable;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Objects;

/**
 * An exact decimal ({@code decimal(p,s)}): at most p - s integer digits and s decimals; a value with more is
 * rejected, never rounded. Up to 18 digits the value is a long of units of 10^-s, so parsing and comparing
 * allocate nothing; wider values (up to 38 digits) are BigDecimals at scale s.
 */
public final class DecimalType implements FieldType {
    public static final int MAX_PRECISION = 38;
    /** 10^18 - 1 is the largest all-nines value that fits in a long. */
    public static final int MAX_LONG_PRECISION = 18;

    private final int precision;
    private final int scale;
    private final @Nullable BigDecimal min;
    private final long minUnscaled;

    public DecimalType(int precision, int scale, @Nullable BigDecimal min) {
        if (precision < 1 || precision > MAX_PRECISION || scale < 0 || scale > precision) {
            throw new IllegalArgumentException("decimal(" + precision + "," + scale + ")");
        }
        this.precision = precision;
        this.scale = scale;
        var atScale = min == null ? null : min.setScale(scale, RoundingMode.UNNECESSARY);
        this.min = atScale;
        this.minUnscaled = atScale == null || precision > MAX_LONG_PRECISION
                ? Long.MIN_VALUE
                : atScale.unscaledValue().longValueExact();
    }

    public int precision() {
        return precision;
    }

    public int scale() {
        return scale;
    }

    public @Nullable BigDecimal min() {
        return min;
    }

    @Override
    public String declaration() {
        return "decimal(" + precision + "," + scale + ")"
                + (min == null ? "" : " >= " + min.stripTrailingZeros().toPlainString());
    }

    @Override
    public String sqlType(Dialect dialect) {
        return "DECIMAL(" + precision + "," + scale + ")";
    }

    @Override
    public int sqlNullType(Dialect dialect) {
        return Types.DECIMAL;
    }

    @Override
    public boolean storesLong() {
        return precision <= MAX_LONG_PRECISION;
    }

    @Override
    public @Nullable Rejection parse(byte[] b, int from, int to, Column column, int row) {
        int f = Bytes.skipSpace(b, from, to);
        int t = Bytes.trimSpace(b, f, to);
        boolean negative = f < t && b[f] == '-';
        int i = negative ? f + 1 : f;
        int dot = Bytes.indexOf(b, (byte) '.', i, t);
        int intEnd = dot < 0 ? t : dot;
        if (!Bytes.allDigits(b, i, intEnd) || (dot >= 0 && !Bytes.allDigits(b, dot + 1, t))) {
            return new Rejection(Problem.NOT_A_VALUE, Bytes.show(b, from, to) + " is not a decimal number");
        }
        int fraction = dot < 0 ? 0 : t - dot - 1;
        if (fraction > scale) {
            return new Rejection(
                    Problem.TOO_MANY_DIGITS, Bytes.show(b, from, to) + " has more than " + scale + " decimals");
        }
        while (i < intEnd - 1 && b[i] == '0') i++;
        int intDigits = intEnd - i == 1 && b[i] == '0' ? 0 : intEnd - i;
        if (intDigits > precision - scale) {
            return new Rejection(
                    Problem.TOO_MANY_DIGITS,
                    Bytes.show(b, from, to) + " has more than " + (precision - scale) + " integer digits");
        }
        if (!storesLong()) return parseWide(b, f, t, column, row, from, to);
        long v = 0;
        for (int k = i; k < intEnd; k++) v = v * 10 + (b[k] - '0');
        for (int k = 0; k < scale; k++) v = v * 10 + (k < fraction ? b[dot + 1 + k] - '0' : 0);
        if (negative) v = -v;
        if (v < minUnscaled) return belowMin(b, from, to);
        column.setLong(row, v);
        return null;
    }

    private @Nullable Rejection parseWide(byte[] b, int f, int t, Column column, int row, int from, int to) {
        var v = new BigDecimal(new String(b, f, t - f, StandardCharsets.US_ASCII)).setScale(scale);
        if (min != null && v.compareTo(min) < 0) return belowMin(b, from, to);
        column.setObject(row, v);
        return null;
    }

    private Rejection belowMin(byte[] b, int from, int to) {
        return new Rejection(
                Problem.OUT_OF_RANGE,
                Bytes.show(b, from, to) + " is less than the minimum "
                        + Objects.requireNonNull(min).stripTrailingZeros().toPlainString());
    }

    @Override
    public void bind(PreparedStatement ps, int index, Column column, int row, Dialect dialect) throws SQLException {
        ps.setBigDecimal(index, (BigDecimal) value(column, row));
    }

    @Override
    public boolean read(ResultSet rs, int index, Column column, int row, Dialect dialect) throws SQLException {
        var v = rs.getBigDecimal(index);
        if (v == null) return false;
        // UNNECESSARY: a stored value with more decimals than declared is a schema mismatch, not something to round
        var scaled = v.setScale(scale, RoundingMode.UNNECESSARY);
        if (storesLong()) column.setLong(row, scaled.unscaledValue().longValueExact());
        else column.setObject(row, scaled);
        return true;
    }

    @Override
    public Object value(Column column, int row) {
        return storesLong() ? BigDecimal.valueOf(column.longAt(row), scale) : column.objectAt(row);
    }

    @Override
    public String format(Column column, int row) {
        return ((BigDecimal) value(column, row)).toPlainString();
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof DecimalType d && d.precision == precision && d.scale == scale && Objects.equals(d.min, min);
    }

    @Override
    public int hashCode() {
        return Objects.hash(precision, scale, min);
    }

    @Override
    public String toString() {
        return declaration();
    }
}
