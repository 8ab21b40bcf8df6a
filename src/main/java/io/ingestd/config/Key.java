package io.ingestd.config;

/**
 * One configuration key: its name, default, meaning and whether a reload (HUP) can change it. The README's
 * configuration table is generated from {@link Keys#ALL}, so the documentation cannot drift from the code.
 */
public record Key(String name, String defaultValue, String meaning, boolean reloadable, boolean secret) {}
