package io.ingestd.store;

import java.util.Arrays;

/** An open-addressing map from ticket to row position: finds duplicates in a batch without boxing a Long per record. */
final class LongIntMap {
    private final long[] keys;
    private final int[] values;
    private final boolean[] used;
    private final int mask;

    LongIntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2) - 1) << 1;
        keys = new long[cap];
        values = new int[cap];
        used = new boolean[cap];
        mask = cap - 1;
    }

    /** The value for the key, or -1. */
    int get(long key) {
        for (int i = slot(key); used[i]; i = (i + 1) & mask) {
            if (keys[i] == key) return values[i];
        }
        return -1;
    }

    void put(long key, int value) {
        int i = slot(key);
        while (used[i] && keys[i] != key) i = (i + 1) & mask;
        used[i] = true;
        keys[i] = key;
        values[i] = value;
    }

    void clear() {
        Arrays.fill(used, false);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
