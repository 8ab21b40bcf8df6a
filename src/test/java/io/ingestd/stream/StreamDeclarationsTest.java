package io.ingestd.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingestd.stream.StreamDeclarations.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

class StreamDeclarationsTest {
    static final String DEAL_FIELDS =
            "ticket:int64, login:int64, symbol:text(16), time:timestamp, volume:decimal(18,2),"
                    + " price:decimal(18,5), commission:decimal(18,2), comment:text(64)?";

    static Map<String, String> deal() {
        var m = new HashMap<String, String>();
        m.put("stream.deal.listen", "tcp://127.0.0.1:5556");
        m.put("stream.deal.format", "csv");
        m.put("stream.deal.table", "deal");
        m.put("stream.deal.fields", DEAL_FIELDS);
        m.put("stream.deal.key", "ticket");
        m.put("stream.deal.create", "true");
        return m;
    }

    static Stream declared(Map<String, String> keys) {
        var r = StreamDeclarations.parse(keys);
        assertThat(r).isInstanceOf(Result.Declared.class);
        return ((Result.Declared) r).streams().getFirst();
    }

    static List<String> errors(Map<String, String> keys) {
        var r = StreamDeclarations.parse(keys);
        assertThat(r).isInstanceOf(Result.Invalid.class);
        return ((Result.Invalid) r).errors();
    }

    static List<String> errorsWith(String key, String value) {
        var m = deal();
        m.put(key, value);
        return errors(m);
    }

    @Test
    void theIssuesDealDeclarationParsesToItsStream() {
        var s = declared(deal());
        assertThat(s.name()).isEqualTo("deal");
        assertThat(s.listen()).isEqualTo("tcp://127.0.0.1:5556");
        assertThat(s.format()).isEqualTo(Stream.Format.CSV);
        assertThat(s.table()).isEqualTo(new TableName(null, "deal"));
        assertThat(s.create()).isTrue();
        assertThat(s.timeZone()).isNull();
        assertThat(s.unknownFields()).isEqualTo(Stream.UnknownFields.REJECT);
        assertThat(s.fields())
                .containsExactly(
                        new Field("ticket", Int64Type.ANY, false),
                        new Field("login", Int64Type.ANY, false),
                        new Field("symbol", new TextType(16), false),
                        new Field("time", TimestampType.UTC_ONLY, false),
                        new Field("volume", new DecimalType(18, 2, null), false),
                        new Field("price", new DecimalType(18, 5, null), false),
                        new Field("commission", new DecimalType(18, 2, null), false),
                        new Field("comment", new TextType(64), true));
        assertThat(s.key()).extracting(Field::name).containsExactly("ticket");
        assertThat(s.hasSingleInt64Key()).isTrue();
        assertThat(s.fieldsDeclaration()).isEqualTo(DEAL_FIELDS.replace(",\n", ", "));
    }

    @Test
    void optionalKeysHaveDefaults() {
        var m = deal();
        m.remove("stream.deal.format");
        m.remove("stream.deal.table");
        m.remove("stream.deal.create");
        var s = declared(m);
        assertThat(s.format()).isEqualTo(Stream.Format.CSV);
        assertThat(s.table().qualified()).isEqualTo("deal");
        assertThat(s.create()).isFalse();
    }

    @Test
    void acceptsASchemaQualifiedTableJsonACompositeKeyAndATimeZone() {
        var m = deal();
        m.put("stream.deal.table", "backoffice.deal");
        m.put("stream.deal.format", "json");
        m.put("stream.deal.key", "ticket, login");
        m.put("stream.deal.time-zone", "Europe/Berlin");
        m.put("stream.deal.unknown-fields", "ignore");
        var s = declared(m);
        assertThat(s.table()).isEqualTo(new TableName("backoffice", "deal"));
        assertThat(s.key()).extracting(Field::name).containsExactly("ticket", "login");
        assertThat(s.hasSingleInt64Key()).isFalse();
        assertThat(s.timeZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(s.fields().get(3).type()).isEqualTo(new TimestampType(ZoneId.of("Europe/Berlin")));
        assertThat(s.unknownFields()).isEqualTo(Stream.UnknownFields.IGNORE);
        assertThat(s.codec()).isInstanceOf(JsonCodec.class);
    }

    @Test
    void keyNoneIsAppendOnly() {
        var m = deal();
        m.put("stream.deal.key", "none");
        assertThat(declared(m).isAppendOnly()).isTrue();
    }

    @Test
    void keysOfOtherSectionsAreNotLookedAt() {
        var m = deal();
        m.put("db.table", "fee");
        m.put("streams", "x");
        assertThat(StreamDeclarations.parse(m)).isInstanceOf(Result.Declared.class);
    }

    @Test
    void everyStreamIsDeclaredInNameOrder() {
        var m = deal();
        deal().forEach((k, v) -> m.put(k.replace("stream.deal.", "stream.bonus."), v));
        var r = (Result.Declared) StreamDeclarations.parse(m);
        assertThat(r.streams()).extracting(Stream::name).containsExactly("bonus", "deal");
    }

    @Test
    void anUnknownTypeIsNamedWithTheTypesThereAre() {
        assertThat(errorsWith("stream.deal.fields", "ticket:int64, price:float"))
                .contains("stream.deal.fields: unknown type 'float' for field price"
                        + " (types: int64, decimal(p,s), text(n), boolean, date, timestamp)");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "stream.deal.fields|ticket:int64, price:decimal(39,2)|stream.deal.fields: price: decimal(39,2): the precision must be 1 to 38",
                "stream.deal.fields|ticket:int64, price:decimal(2,3)|stream.deal.fields: price: decimal(2,3): the scale must not exceed the precision",
                "stream.deal.fields|ticket:int64, price:decimal(18)|stream.deal.fields: price: expected decimal(p,s), e.g. decimal(18,2), got 'decimal(18)'",
                "stream.deal.fields|ticket:int64, s:text(0)|stream.deal.fields: s: text(0): the length must be 1 to 16383",
                "stream.deal.fields|ticket:int64, s:text|stream.deal.fields: s: expected text(n), e.g. text(64), got 'text'",
                "stream.deal.fields|ticket:int64, 1x:int64|stream.deal.fields: '1x' is not a valid field name (a letter, then letters, digits or _)",
                "stream.deal.fields|ticket:int64, ticket:int64|stream.deal.fields: field ticket is declared twice",
                "stream.deal.fields|ticket:int64, TICKET:int64|stream.deal.fields: field TICKET is declared twice",
                "stream.deal.fields|ticket:int64, login|stream.deal.fields: 'login' is not name:type (e.g. ticket:int64, comment:text(64)?)",
                "stream.deal.fields|ticket:int64,|stream.deal.fields: '' is not name:type (e.g. ticket:int64, comment:text(64)?)",
                "stream.deal.fields|ticket:int64 >= x|stream.deal.fields: ticket: the minimum 'x' is not a valid int64",
                "stream.deal.fields|ticket:int64, b:boolean >= 1|stream.deal.fields: b: a minimum (>=) is allowed only for int64 and decimal",
                "stream.deal.fields|ticket:int64, v:decimal(4,2) >= 0.001|stream.deal.fields: v: the minimum '0.001' is not a valid decimal(4,2)",
                "stream.deal.key|login, nosuch|stream.deal.key: 'nosuch' is not a declared field (or none, for append only)",
                "stream.deal.key|comment|stream.deal.key: comment is optional; a key field must not be",
                "stream.deal.key|ticket,ticket|stream.deal.key: ticket is named twice",
                "stream.deal.key|''|stream.deal.key: missing (every stream declares it)",
                "stream.deal.format|xml|stream.deal.format: 'xml' is not one of csv, json",
                "stream.deal.create|yes|stream.deal.create: 'yes' is not one of true, false",
                "stream.deal.table|back-office.deal|stream.deal.table: 'back-office.deal' is not a table name (table or schema.table; each a letter, then letters, digits or _)",
                "stream.deal.table|a.b.c|stream.deal.table: 'a.b.c' is not a table name (table or schema.table; each a letter, then letters, digits or _)",
                "stream.deal.time-zone|Mars/Base|stream.deal.time-zone: unknown time zone 'Mars/Base' (e.g. UTC, Europe/Berlin, +02:00)",
                "stream.deal.unknown-fields|ignore|stream.deal.unknown-fields: applies only to format json",
                "stream.deal.colour|red|stream.deal.colour: unknown key (keys: listen, format, table, fields, key, create, time-zone, unknown-fields)",
                "stream.deal|x|stream.deal: expected stream.<name>.<key> (keys: listen, format, table, fields, key, create, time-zone, unknown-fields)",
                "stream.9deal.listen|x|stream.9deal.*: '9deal' is not a valid stream name (a letter, then letters, digits or _)",
            })
    void eachErrorNamesItsKey(String key, String value, String error) {
        assertThat(errorsWith(key, value)).contains(error);
    }

    @Test
    void aMissingListenOrFieldsIsNamed() {
        var m = deal();
        m.remove("stream.deal.listen");
        m.remove("stream.deal.fields");
        assertThat(errors(m))
                .contains(
                        "stream.deal.listen: missing (every stream declares it)",
                        "stream.deal.fields: missing (every stream declares it)");
    }

    @Test
    void identifiersAreLettersDigitsAndUnderscoreUpTo63() {
        assertThat(StreamDeclarations.isIdentifier("a")).isTrue();
        assertThat(StreamDeclarations.isIdentifier("deal_2")).isTrue();
        assertThat(StreamDeclarations.isIdentifier("a".repeat(63))).isTrue();
        assertThat(StreamDeclarations.isIdentifier("a".repeat(64))).isFalse();
        assertThat(StreamDeclarations.isIdentifier("_a")).isFalse();
        assertThat(StreamDeclarations.isIdentifier("a b")).isFalse();
        assertThat(StreamDeclarations.isIdentifier("é")).isFalse();
    }

    @Test
    void typesAreReadWithSpacesAndInAnyCase() {
        var m = deal();
        m.put("stream.deal.fields", "ticket : INT64 , price: Decimal( 18 , 5 ) ?, day:date, ok:boolean?");
        var s = declared(m);
        assertThat(s.fields())
                .containsExactly(
                        new Field("ticket", Int64Type.ANY, false),
                        new Field("price", new DecimalType(18, 5, null), true),
                        new Field("day", DateType.INSTANCE, false),
                        new Field("ok", BooleanType.INSTANCE, true));
    }

    @Test
    void theFeeStreamIsADeclarationLikeAnyOther() {
        var fee = StreamDeclarations.fee("fee", "tcp://127.0.0.1:5555");
        assertThat(fee.fieldsDeclaration()).isEqualTo("ticket:int64 >= 1, login:int64 >= 1, volume:decimal(18,4) >= 0");
        assertThat(fee.fields().get(2).type()).isEqualTo(new DecimalType(18, 4, BigDecimal.ZERO));
        assertThat(fee.key()).extracting(Field::name).containsExactly("ticket");
        assertThat(fee.format()).isEqualTo(Stream.Format.CSV);
        assertThat(fee.create()).isFalse();
        assertThat(StreamDeclarations.fee("backoffice.fee", "tcp://*:5555").table())
                .isEqualTo(new TableName("backoffice", "fee"));
    }

    @Test
    void sqlTypesPerDatabase() {
        var s = declared(deal());
        var types =
                s.fields().stream().map(f -> f.type().sqlType(Dialect.MARIADB)).toList();
        assertThat(types)
                .containsExactly(
                        "BIGINT",
                        "BIGINT",
                        "VARCHAR(16)",
                        "DATETIME(3)",
                        "DECIMAL(18,2)",
                        "DECIMAL(18,5)",
                        "DECIMAL(18,2)",
                        "VARCHAR(64)");
        assertThat(TimestampType.UTC_ONLY.sqlType(Dialect.POSTGRESQL)).isEqualTo("TIMESTAMPTZ");
        assertThat(TimestampType.UTC_ONLY.sqlType(Dialect.H2)).isEqualTo("TIMESTAMP WITH TIME ZONE");
        assertThat(BooleanType.INSTANCE.sqlType(Dialect.POSTGRESQL)).isEqualTo("BOOLEAN");
        assertThat(DateType.INSTANCE.sqlType(Dialect.H2)).isEqualTo("DATE");
    }
}
