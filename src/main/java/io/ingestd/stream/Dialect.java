package io.ingestd.stream;

/** The SQL databases a stream is written to; each field type declares, binds and reads its column per dialect. */
public enum Dialect {
    MARIADB,
    POSTGRESQL,
    H2
}
