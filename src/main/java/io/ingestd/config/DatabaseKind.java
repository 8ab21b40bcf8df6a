package io.ingestd.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The databases ingestd supports, each with the JDBC URL prefixes that name it (not {@code jdbc:mysql:}: the
 * MariaDB driver ingestd ships does not take it; ConfigLoader says so): the one list that the
 * {@code db.url} check, its documentation and the store's SQL dialect all read.
 */
public enum DatabaseKind {
    MARIADB("jdbc:mariadb:"),
    POSTGRESQL("jdbc:postgresql:"),
    H2("jdbc:h2:");

    @SuppressWarnings("ImmutableEnumChecker") // List.of: unmodifiable
    private final List<String> prefixes;

    DatabaseKind(String... prefixes) {
        this.prefixes = List.of(prefixes);
    }

    public List<String> prefixes() {
        return prefixes;
    }

    /** The kind a JDBC URL names; case-sensitive, as the drivers are. */
    public static Optional<DatabaseKind> of(String jdbcUrl) {
        for (var k : values()) {
            for (var p : k.prefixes) if (jdbcUrl.startsWith(p)) return Optional.of(k);
        }
        return Optional.empty();
    }

    /** Every supported prefix, each wrapped in {@code quote} ("`" for Markdown), as "a, b, c or d". */
    static String list(String quote) {
        var all = Arrays.stream(values())
                .flatMap(k -> k.prefixes.stream())
                .map(p -> quote + p + quote)
                .toList();
        return all.subList(0, all.size() - 1).stream().collect(Collectors.joining(", ")) + " or " + all.getLast();
    }

    /** The URL without its parameters (which may hold a password), for error messages. */
    public static String withoutParameters(String jdbcUrl) {
        return jdbcUrl.replaceAll("[?;].*", "");
    }
}
