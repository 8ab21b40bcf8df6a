package io.ingestd.config;

import java.nio.file.Path;

/** The local spool: whether it is on, where it lives, and how large it may grow. */
public record SpoolConfig(boolean enabled, Path dir, long maxBytes) {}
