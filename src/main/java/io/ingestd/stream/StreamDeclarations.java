package io.ingestd.stream;

import org.jspecify.annotations.Nullable;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads the {@code stream.<name>.*} keys of a configuration into validated streams. Every error names its
 * key, and all of them are reported at once, so one edit of the file can fix them all.
 */
public final class StreamDeclarations {
    public static final String PREFIX = "stream.";
    static final List<String> KEYS =
            List.of("listen", "format", "table", "fields", "key", "create", "time-zone", "unknown-fields");
    /** 63 characters: PostgreSQL's limit, the smallest of the three databases. */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,62}");

    private static final String FEE_FIELDS = "ticket:int64 >= 1, login:int64 >= 1, volume:decimal(18,4) >= 0";

    private StreamDeclarations() {}

    /** The streams, or every error found (each {@code <key>: <what is wrong>}). */
    public sealed interface Result {
        record Declared(List<Stream> streams) implements Result {}

        record Invalid(List<String> errors) implements Result {}
    }

    /**
     * The built-in fee stream: what ingestd has always taken, now a declaration like any other. Tickets and
     * logins are positive and volumes not negative, as the fee protocol has always required.
     */
    public static Stream fee(String table, String listen) {
        var declared = parse(Map.of(
                "stream.fee.listen", listen,
                "stream.fee.format", "csv",
                "stream.fee.table", table,
                "stream.fee.fields", FEE_FIELDS,
                "stream.fee.key", "ticket"));
        return switch (declared) {
            case Result.Declared(var streams) -> streams.getFirst();
            case Result.Invalid(var errors) -> throw new IllegalArgumentException(String.join("; ", errors));
        };
    }

    /** Reads the keys that start with {@code stream.}; others are not looked at. */
    public static Result parse(Map<String, String> config) {
        var errors = new ArrayList<String>();
        var byStream = new TreeMap<String, Map<String, String>>();
        for (var e : new TreeMap<>(config).entrySet()) {
            if (!e.getKey().startsWith(PREFIX)) continue;
            String rest = e.getKey().substring(PREFIX.length());
            int dot = rest.indexOf('.');
            if (dot <= 0 || dot == rest.length() - 1) {
                errors.add(e.getKey() + ": expected stream.<name>.<key> (keys: " + String.join(", ", KEYS) + ")");
                continue;
            }
            byStream.computeIfAbsent(rest.substring(0, dot), n -> new TreeMap<>())
                    .put(rest.substring(dot + 1), e.getValue().trim());
        }
        var streams = new ArrayList<Stream>();
        for (var e : byStream.entrySet()) {
            var stream = new One(e.getKey(), e.getValue(), errors).stream();
            if (stream != null) streams.add(stream);
        }
        return errors.isEmpty() ? new Result.Declared(List.copyOf(streams)) : new Result.Invalid(List.copyOf(errors));
    }

    static boolean isIdentifier(String s) {
        return IDENTIFIER.matcher(s).matches();
    }

    /** The declaration of one stream, collecting its errors. */
    private static final class One {
        final String name;
        final Map<String, String> values;
        final List<String> errors;
        final int errorsBefore;

        One(String name, Map<String, String> values, List<String> errors) {
            this.name = name;
            this.values = values;
            this.errors = errors;
            this.errorsBefore = errors.size();
        }

        @Nullable
        Stream stream() {
            if (!isIdentifier(name)) {
                errors.add(PREFIX + name + ".*: '" + name
                        + "' is not a valid stream name (a letter, then letters, digits or _)");
                return null;
            }
            for (var key : values.keySet()) {
                if (!KEYS.contains(key)) {
                    errors.add(key(key) + ": unknown key (keys: " + String.join(", ", KEYS) + ")");
                }
            }
            String listen = required("listen");
            var format = choice("format", Stream.Format.CSV, Stream.Format.class);
            var table = table();
            var zone = zone();
            var fields = fields(zone);
            var key = key(fields);
            boolean create = choice("create", Create.FALSE, Create.class) == Create.TRUE;
            var unknown = choice("unknown-fields", Stream.UnknownFields.REJECT, Stream.UnknownFields.class);
            if (values.containsKey("unknown-fields") && format != Stream.Format.JSON) {
                errors.add(key("unknown-fields") + ": applies only to format json");
            }
            if (errors.size() > errorsBefore || listen == null || table == null) return null;
            return new Stream(name, listen, format, table, fields, key, create, zone, unknown);
        }

        private enum Create {
            TRUE,
            FALSE
        }

        private String key(String key) {
            return PREFIX + name + "." + key;
        }

        private @Nullable String required(String key) {
            String v = values.get(key);
            if (v == null || v.isEmpty()) {
                errors.add(key(key) + ": missing (every stream declares it)");
                return null;
            }
            return v;
        }

        private <E extends Enum<E>> E choice(String key, E fallback, Class<E> options) {
            String v = values.get(key);
            if (v == null) return fallback;
            for (var option : options.getEnumConstants()) {
                if (option.name().replace('_', '-').equalsIgnoreCase(v)) return option;
            }
            var names = new ArrayList<String>();
            for (var option : options.getEnumConstants())
                names.add(option.name().toLowerCase(Locale.ROOT));
            errors.add(key(key) + ": '" + v + "' is not one of " + String.join(", ", names));
            return fallback;
        }

        private @Nullable TableName table() {
            String v = values.getOrDefault("table", name);
            String[] parts = v.split("\\.", -1);
            if (parts.length > 2 || !isIdentifier(parts[0]) || (parts.length == 2 && !isIdentifier(parts[1]))) {
                errors.add(key("table") + ": '" + v
                        + "' is not a table name (table or schema.table; each a letter, then letters, digits or _)");
                return null;
            }
            return parts.length == 2 ? new TableName(parts[0], parts[1]) : new TableName(null, parts[0]);
        }

        private @Nullable ZoneId zone() {
            String v = values.get("time-zone");
            if (v == null) return null;
            try {
                return ZoneId.of(v);
            } catch (DateTimeException e) {
                errors.add(key("time-zone") + ": unknown time zone '" + v + "' (e.g. UTC, Europe/Berlin, +02:00)");
                return null;
            }
        }

        private List<Field> fields(@Nullable ZoneId zone) {
            String v = required("fields");
            var fields = new ArrayList<Field>();
            if (v == null) return fields;
            var seen = new HashSet<String>();
            for (String item : splitTopLevel(v)) {
                var field = field(item.trim(), zone);
                if (field == null) continue;
                if (!seen.add(field.name().toLowerCase(Locale.ROOT))) {
                    errors.add(key("fields") + ": field " + field.name() + " is declared twice");
                }
                fields.add(field);
            }
            return fields;
        }

        private @Nullable Field field(String item, @Nullable ZoneId zone) {
            int colon = item.indexOf(':');
            if (item.isEmpty() || colon < 0) {
                errors.add(key("fields") + ": '" + item + "' is not name:type (e.g. ticket:int64, comment:text(64)?)");
                return null;
            }
            String name = item.substring(0, colon).trim();
            String type = item.substring(colon + 1).trim();
            boolean optional = type.endsWith("?");
            if (optional) type = type.substring(0, type.length() - 1);
            if (!isIdentifier(name)) {
                errors.add(key("fields") + ": '" + name
                        + "' is not a valid field name (a letter, then letters, digits or _)");
                return null;
            }
            return switch (TypeDeclaration.parse(name, type, zone)) {
                case TypeDeclaration.Outcome.Valid(var t) -> new Field(name, t, optional);
                case TypeDeclaration.Outcome.Invalid(var message) -> {
                    errors.add(key("fields") + ": " + message);
                    yield null;
                }
            };
        }

        private List<Field> key(List<Field> fields) {
            String v = required("key");
            if (v == null || v.equalsIgnoreCase("none")) return new ArrayList<>();
            var key = new ArrayList<Field>();
            Set<String> seen = new HashSet<>();
            for (String part : v.split(",", -1)) {
                String n = part.trim();
                var field = fields.stream().filter(f -> f.name().equals(n)).findFirst();
                if (field.isEmpty()) {
                    errors.add(key("key") + ": '" + n + "' is not a declared field (or none, for append only)");
                } else if (field.get().optional()) {
                    errors.add(key("key") + ": " + n + " is optional; a key field must not be");
                } else if (!seen.add(n)) {
                    errors.add(key("key") + ": " + n + " is named twice");
                } else {
                    key.add(field.get());
                }
            }
            return key;
        }
    }

    /** Splits at the commas outside parentheses: {@code decimal(18,2)} holds one. */
    static List<String> splitTopLevel(String s) {
        var parts = new ArrayList<String>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth = Math.max(0, depth - 1);
            else if (c == ',' && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }
}
