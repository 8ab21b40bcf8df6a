package io.ingestd.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingestd.stream.RecordCodec.Decoded;
import org.jspecify.annotations.Nullable;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Streams and decoding shortcuts for the tests of the stream model. */
final class Streams {
    private Streams() {}

    static Stream stream(String fields, String... more) {
        var m = new HashMap<String, String>();
        m.put("stream.s.listen", "tcp://127.0.0.1:5556");
        m.put("stream.s.fields", fields);
        m.put("stream.s.key", "none");
        for (int i = 0; i < more.length; i += 2) m.put("stream.s." + more[i], more[i + 1]);
        return declared(m);
    }

    static Stream declared(Map<String, String> keys) {
        var r = StreamDeclarations.parse(keys);
        if (r instanceof StreamDeclarations.Result.Invalid(var errors)) throw new AssertionError(errors);
        return ((StreamDeclarations.Result.Declared) r).streams().getFirst();
    }

    static Decoded decode(Stream s, String body) {
        return s.codec().decode(body.getBytes(StandardCharsets.UTF_8), 10_000);
    }

    static Batch ok(Stream s, String body) {
        var r = decode(s, body);
        if (r instanceof Decoded.Invalid(var rejection)) throw new AssertionError(rejection.toString());
        return ((Decoded.Parsed) r).batch();
    }

    static Rejection bad(Stream s, String body) {
        var r = decode(s, body);
        assertThat(r).isInstanceOf(Decoded.Invalid.class);
        return ((Decoded.Invalid) r).rejection();
    }

    /** The one value of a one-field CSV record. */
    static @Nullable Object value(String type, String csv, String... more) {
        return ok(stream("v:" + type, more), csv).value(0, 0);
    }

    /** The rejection of a one-field CSV record. */
    static String error(String type, String csv, String... more) {
        return bad(stream("v:" + type, more), csv).detail();
    }
}
