package io.ingestd.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Random;

class LongIntMapTest {
    @Test
    void getAnswersWhatWasPutAndMinusOneOtherwise() {
        var m = new LongIntMap(4);
        m.put(42, 0);
        m.put(-1, 1);
        m.put(Long.MAX_VALUE, 2);
        m.put(42, 3);
        assertThat(m.get(42)).as("a second put replaces").isEqualTo(3);
        assertThat(m.get(-1)).isEqualTo(1);
        assertThat(m.get(Long.MAX_VALUE)).isEqualTo(2);
        assertThat(m.get(0)).isEqualTo(-1);
        m.clear();
        assertThat(m.get(42)).isEqualTo(-1);
    }

    @Test
    void agreesWithAHashMapForAFullMapOfCollidingAndSequentialKeys() {
        int n = 10_000;
        var m = new LongIntMap(n);
        var expected = new HashMap<Long, Integer>();
        var random = new Random(12);
        for (int i = 0; i < n; i++) {
            long key = i % 2 == 0 ? 1_000_000L + i : random.nextLong() << 20; // runs, and keys alike in their low bits
            m.put(key, i);
            expected.put(key, i);
        }
        expected.forEach((k, v) -> assertThat(m.get(k)).isEqualTo(v));
        for (int i = 0; i < 1000; i++) {
            long absent = 5_000_000L + i;
            assertThat(m.get(absent)).isEqualTo(-1);
        }
    }
}
