/**
 * The record model: a declared {@link io.ingestd.stream.Stream} (endpoint, format, typed fields, key, table),
 * its {@link io.ingestd.stream.FieldType}s, the column-wise {@link io.ingestd.stream.Batch} of a message's
 * records, the CSV and JSON codecs that fill it from a message, the spool's binary form
 * ({@link io.ingestd.stream.BatchCodec}) and the JDBC binding ({@link io.ingestd.stream.RowBinder}). Pure: it
 * imports nothing of ingestd, so the listener, writer, spool and table check can all read it.
 */
package io.ingestd.stream;
