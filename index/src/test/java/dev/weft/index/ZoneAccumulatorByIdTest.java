package dev.weft.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.Test;

/**
 * Zone maps of strings given by id (each row's value its id's entry; the vector's data buffer
 * unread) against the general path: the same minimum, maximum and null count over ranges read
 * one after another with one filter (its per-id memo reused), across scopes, with entries
 * under and over 8 bytes, shared prefixes, high bytes, empty values, the same value under two
 * ids, and nulls.
 */
class ZoneAccumulatorByIdTest {
  private static byte[] value(SplittableRandom rnd) {
    int len = rnd.nextInt(4) == 0 ? rnd.nextInt(40) : rnd.nextInt(8);
    byte[] b = new byte[len];
    for (int i = 0; i < len; i++) {
      // zero bytes too: "A" and "A\0" have the same 8-byte key and differ by length only
      b[i] = (byte) (rnd.nextInt(6) == 0 ? 0 : rnd.nextBoolean() ? 0x41 + rnd.nextInt(3) : 0xF0 + rnd.nextInt(3));
    }
    return b;
  }

  @Test
  void sameZonesAsFromTheValues() {
    SplittableRandom rnd = new SplittableRandom(17);
    IdFilter filter = new IdFilter();
    try (BufferAllocator a = new RootAllocator(); VarCharVector full = new VarCharVector("s", a);
         VarCharVector byId = new VarCharVector("s", a)) {
      for (int scope = 0; scope < 4; scope++) {
        int size = 1 + rnd.nextInt(scope == 3 ? 3000 : 200);
        byte[][] entries = new byte[size][];
        for (int k = 0; k < size; k++) {
          entries[k] = k > 0 && rnd.nextInt(10) == 0 ? entries[k - 1] : value(rnd); // duplicates under two ids
        }
        byte[] bytes = new byte[Arrays.stream(entries).mapToInt(e -> e.length).sum()];
        int[] starts = new int[size + 1];
        for (int k = 0; k < size; k++) {
          System.arraycopy(entries[k], 0, bytes, starts[k], entries[k].length);
          starts[k + 1] = starts[k] + entries[k].length;
        }
        int n = 6_000;
        int[] ids = new int[n];
        full.allocateNew();
        byId.allocateNew();
        for (int i = 0; i < n; i++) {
          if (scope != 1 && rnd.nextInt(12) == 0) {
            ids[i] = -1;
            full.setNull(i);
            byId.setNull(i);
          } else {
            ids[i] = rnd.nextInt(3) == 0 ? rnd.nextInt(Math.min(size, 4)) : rnd.nextInt(size);
            full.setSafe(i, entries[ids[i]]);
            byId.setSafe(i, new byte[0]); // its bytes are not read: an empty value each
          }
        }
        full.setValueCount(n);
        byId.setValueCount(n);
        Object scopeId = new Object();
        for (int k = 0; k < 60; k++) {
          int from = rnd.nextInt(n);
          int to = Math.min(n, from + rnd.nextInt(1 + (k % 3 == 0 ? n : 50)));
          ZoneAccumulator general = new ZoneAccumulator(StatKind.BYTES);
          general.add(full, ValueReader.of(full.getField()), from, to);
          ZoneAccumulator z = new ZoneAccumulator(StatKind.BYTES);
          filter.use(scopeId, size, ids, bytes, starts);
          z.add(byId, ValueReader.of(byId.getField()), from, to, byId.getNullCount() == 0, filter);
          ZoneStats x = general.finish();
          ZoneStats y = z.finish();
          String what = "scope " + scope + " rows [" + from + ", " + to + ")";
          assertEquals(x.nullCount(), y.nullCount(), what);
          assertEquals(x.numRows(), y.numRows(), what);
          if (x.min() == null) {
            assertNull(y.min(), what);
          } else {
            assertArrayEquals((byte[]) x.min(), (byte[]) y.min(), what);
            assertArrayEquals((byte[]) x.max(), (byte[]) y.max(), what);
          }
        }
      }
    }
  }

  /** "A" and "A\0" share their 8-byte key: the length decides, also for a value whose key is remembered. */
  @Test
  void equalKeysOrderByLength() {
    try (BufferAllocator a = new RootAllocator(); VarCharVector v = new VarCharVector("s", a)) {
      v.allocateNew();
      for (int i = 0; i < 3; i++) {
        v.setSafe(i, new byte[0]);
      }
      v.setValueCount(3);
      IdFilter filter = new IdFilter();
      int[] ids = {1, 0, 1}; // entry 0 "A\0", entry 1 "A"
      filter.use(new Object(), 2, ids, new byte[] {0x41, 0, 0x41}, new int[] {0, 2, 3});
      ZoneAccumulator first = new ZoneAccumulator(StatKind.BYTES);
      first.add(v, ValueReader.of(v.getField()), 0, 1, true, filter); // "A" alone: its key is remembered
      ZoneAccumulator z = new ZoneAccumulator(StatKind.BYTES);
      z.add(v, ValueReader.of(v.getField()), 1, 3, true, filter);
      ZoneStats s = z.finish();
      assertArrayEquals(new byte[] {0x41}, (byte[]) s.min());
      assertArrayEquals(new byte[] {0x41, 0}, (byte[]) s.max());
    }
  }

  @Test
  void aValueWithoutAnIdIsRefused() {
    try (BufferAllocator a = new RootAllocator(); VarCharVector v = new VarCharVector("s", a)) {
      v.allocateNew();
      v.setSafe(0, new byte[] {1});
      v.setSafe(1, new byte[] {1});
      v.setValueCount(2);
      IdFilter filter = new IdFilter();
      filter.use(new Object(), 1, new int[] {0, -1}, new byte[] {1}, new int[] {0, 1});
      ZoneAccumulator z = new ZoneAccumulator(StatKind.BYTES);
      assertThrows(IllegalArgumentException.class,
          () -> z.add(v, ValueReader.of(v.getField()), 0, 2, true, filter));
    }
  }
}
