package io.ingestd.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

/** Valid records come back the same through CSV, JSON and the spool's binary form. */
class RoundTripTest {
    static final Stream S = RecordsArbitraries.STREAM;
    static final Stream J = Streams.stream(S.fieldsDeclaration(), "format", "json");

    @Provide
    Arbitrary<String> messages() {
        return RecordsArbitraries.message();
    }

    @Property(tries = 1000)
    void csvJsonAndTheSpoolKeepEveryRecord(@ForAll("messages") String csv) {
        var batch = Streams.ok(S, csv);
        var viaCsv = Streams.ok(S, new String(S.codec().encode(batch), java.nio.charset.StandardCharsets.UTF_8));
        var viaJson = Streams.ok(J, new String(J.codec().encode(batch), java.nio.charset.StandardCharsets.UTF_8));
        var viaSpool = BatchCodec.decode(S, BatchCodec.encode(S, batch));
        for (var other : new Batch[] {viaCsv, viaJson, viaSpool}) {
            assertThat(other.size()).isEqualTo(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                assertThat(other.sameRecord(i, batch, i))
                        .as(RecordsArbitraries.values(batch, i) + " vs " + RecordsArbitraries.values(other, i))
                        .isTrue();
            }
        }
    }

    @Test
    void theSameValueWrittenDifferentlyIsTheSameRecordAndAnotherValueIsNot() {
        var b = Streams.ok(S, """
                1,x,1.5,2,true,2026-01-31,2026-03-01T12:00:00Z,a
                1,"x",1.50000,2.0,true,2026-01-31,2026-03-01T13:00:00.000+01:00,"a"
                1,x,1.50001,2,true,2026-01-31,2026-03-01T12:00:00Z,a
                1,,1.5,2,true,2026-01-31,2026-03-01T12:00:00Z,a
                1,x,1.5,2,true,2026-01-31,1772366400001,a""");
        assertThat(b.sameRecord(0, b, 1)).isTrue();
        assertThat(b.sameRecord(0, b, 2)).isFalse();
        assertThat(b.sameRecord(0, b, 3)).isFalse();
        assertThat(b.sameRecord(3, b, 0)).isFalse();
        assertThat(b.sameRecord(0, b, 4)).isFalse();
    }

    @Test
    void theSpoolFormatStartsWithItsVersionAndRefusesOthers() {
        var batch = Streams.ok(S, "1,,,,,,,\"\"");
        byte[] entry = BatchCodec.encode(S, batch);
        assertThat(entry[0]).isEqualTo(BatchCodec.VERSION);
        byte[] future = entry.clone();
        future[0] = 2;
        assertThatThrownBy(() -> BatchCodec.decode(S, future))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a readable spool entry at byte 1: format version 2 (this ingestd reads 1)");
    }

    @Test
    void anEntryOfAnotherDeclarationIsRefused() {
        var other = Streams.stream("id:int64, name:text(13)?, price:decimal(18,5)?, big:decimal(38,10)?, ok:boolean?,"
                + " day:date?, at:timestamp?, note:text(3)");
        byte[] entry = BatchCodec.encode(S, Streams.ok(S, "1,,,,,,,\"\""));
        assertThatThrownBy(() -> BatchCodec.decode(other, entry))
                .hasMessageContaining("spooled under another declaration of the fields of stream s");
    }

    @Property(tries = 500)
    void aDamagedEntryFailsWithWhereItBrokeAndNothingElse(@ForAll("messages") String csv, @ForAll int cut) {
        byte[] entry = BatchCodec.encode(S, Streams.ok(S, csv));
        byte[] shorter = Arrays.copyOf(entry, Math.floorMod(cut, entry.length));
        assertThatThrownBy(() -> BatchCodec.decode(S, shorter))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a readable spool entry at byte");
    }

    @Test
    void anEntryIsCompact() {
        var fee = StreamDeclarations.fee("fee", "tcp://127.0.0.1:5555");
        var batch = Streams.ok(fee, "123456789,1234,0.01\n123456790,1234,10");
        // version + declaration CRC + count, then about 4 + 2 + 2 bytes a record
        assertThat(BatchCodec.encode(fee, batch)).hasSizeLessThan(6 + 2 * 10);
    }
}
