package io.ingestd.stream;

/** One declared field of a stream: its name (a SQL identifier, also the column's), its type, and whether it may be NULL. */
public record Field(String name, FieldType type, boolean optional) {

    /** The field as declared in {@code stream.X.fields}, e.g. {@code comment:text(64)?}. */
    public String declaration() {
        return name + ":" + type.declaration() + (optional ? "?" : "");
    }

    @Override
    public String toString() {
        return declaration();
    }
}
