package dev.weft.writer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.ColumnLayout;
import dev.weft.format.ColumnNode;
import java.nio.file.Path;
import java.util.Random;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.Test;

/** The writer's shared dictionary of one node and row group: sampling, frequency order, fallback. */
class ChunkDictionaryTest {
  private static ColumnNode node(ArrowType type) throws Exception {
    return ColumnLayout.of(Field.nullable("c", type), Path.of("t.weft")).node(0);
  }

  @Test
  void sampleOrdersEntriesByFrequencyThenBlocksStoreCodes() throws Exception {
    ChunkDictionary d = new ChunkDictionary(node(new ArrowType.Int(64, true)), ChunkDictionary.MAX_BYTES);
    int n = 2048;
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = i % 10 == 0 ? 111 : 999; // 111 occurs first, 999 nine times as often
    }
    long[] codes = new long[n];
    assertEquals(-1, d.codeInts(v, n, codes), "sampled blocks store no codes");
    d.endBlock();
    assertFalse(d.sampling(), "8 values per entry end the sample");
    assertEquals(2, d.codeInts(v, n, codes));
    assertEquals(1, codes[0], "the rarer value gets the larger code");
    assertEquals(0, codes[1], "the most frequent value gets code 0");
    d.markUsed(1);
    d.endBlock();
    assertTrue(d.used() && d.active());
    assertEquals(2, d.encodedEntries());
  }

  @Test
  void codesKnownFromIdsComeWithTheirRange() throws Exception {
    ChunkDictionary d = new ChunkDictionary(node(new ArrowType.Int(64, true)), ChunkDictionary.MAX_BYTES);
    int n = 2048;
    long[] v = new long[n];
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = i % 10 == 0 ? 0 : i % 3 == 0 ? 1 : 2; // ids name the values: 111, 555, 999
      v[i] = new long[] {111, 555, 999}[ids[i]];
    }
    Object scope = new Object();
    long[] codes = new long[n];
    d.useIds(scope, 3, ids);
    assertEquals(-1, d.codeInts(v, n, codes), "sampled blocks store no codes");
    d.endBlock();
    d.useIds(scope, 3, ids);
    assertEquals(3, d.codeInts(v, n, codes)); // codes by value; the ids learn them
    int[] byValue = new int[3];
    for (long c : codes) {
      byValue[(int) c]++;
    }
    assertArrayEquals(byValue, java.util.Arrays.copyOf(d.knownCounts(), 3), "coding by value counts too");
    assertEquals(0, d.knownMinCode());
    assertEquals(2, d.knownMaxCode());
    d.endBlock();
    d.useIds(scope, 3, ids);
    long[] known = new long[n];
    assertEquals(3, d.codeKnown(n, known));
    assertArrayEquals(codes, known, "the ids give the codes the values gave");
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (long c : known) {
      min = Math.min(min, c);
      max = Math.max(max, c);
    }
    assertEquals(min, d.knownMinCode());
    assertEquals(max, d.knownMaxCode());
    int[] counts = new int[(int) max + 1];
    for (long c : known) {
      counts[(int) c]++;
    }
    assertArrayEquals(counts, java.util.Arrays.copyOf(d.knownCounts(), counts.length));
    int[] tail = java.util.Arrays.copyOfRange(ids, 1, n); // without id 0, the most frequent's code stays unused
    d.useIds(scope, 3, tail);
    assertEquals(3, d.codeKnown(n - 1, known));
    assertEquals(max, d.knownMaxCode());
    counts = new int[(int) max + 1]; // the last block's counts only: the one before was cleared
    for (int i = 0; i < n - 1; i++) {
      counts[(int) known[i]]++;
    }
    assertArrayEquals(counts, java.util.Arrays.copyOf(d.knownCounts(), counts.length));
    int[] unknown = tail.clone();
    unknown[n / 2] = -1; // a row without an id: not every code is known
    d.useIds(scope, 3, unknown);
    assertEquals(ChunkDictionary.UNKNOWN, d.codeKnown(n - 1, known));
    d.useIds(scope, 3, tail);
    assertEquals(3, d.codeKnown(n - 1, known));
    assertArrayEquals(counts, java.util.Arrays.copyOf(d.knownCounts(), counts.length),
        "a block that could not be coded left no counts behind");
  }

  @Test
  void allDistinctValuesGiveTheDictionaryUp() throws Exception {
    ChunkDictionary d = new ChunkDictionary(node(new ArrowType.Int(64, true)), ChunkDictionary.MAX_BYTES);
    Random rnd = new Random(1);
    long[] codes = new long[2048];
    int blocks = 0;
    while (d.active() && blocks < 100) {
      long[] v = new long[2048];
      for (int i = 0; i < v.length; i++) {
        v[i] = rnd.nextLong();
      }
      int before = d.codeInts(v, v.length, codes);
      if (before >= 0) {
        assertEquals(2048L * 8, d.entryCost(before), "every value is a new entry of 8 bytes");
      }
      d.endBlock(); // no block chose codes
      blocks++;
    }
    assertFalse(d.active(), "a dictionary no block uses is given up");
    assertTrue(blocks <= ChunkDictionary.SAMPLE_BLOCKS + ChunkDictionary.TRIAL_BLOCKS, "after " + blocks + " blocks");
    assertFalse(d.used());
    assertEquals(0, d.heldBytes() > 1 << 16 ? 1 : 0, "its memory is released: " + d.heldBytes());
  }

  @Test
  void aFullDictionaryFallsBackForNewValues() throws Exception {
    ChunkDictionary d = new ChunkDictionary(node(ArrowType.Utf8.INSTANCE), 4096);
    byte[] data = new byte[64 * 100];
    int[] offsets = new int[101];
    for (int i = 0; i < 100; i++) {
      offsets[i + 1] = offsets[i] + 64;
      data[i * 64] = (byte) i;
    }
    long[] codes = new long[100];
    assertEquals(-1, d.codeStrings(data, offsets, 100, codes), "4 KiB hold fewer than 100 entries of 64 bytes");
    d.endBlock();
    assertFalse(d.sampling(), "a full dictionary ends the sample");
    int[] some = {0, 64, 128};
    assertEquals(d.size(), d.codeStrings(data, some, 2, codes), "known values are still coded");
    byte[] other = new byte[64];
    other[0] = (byte) 200;
    assertEquals(-1, d.codeStrings(other, new int[] {0, 64}, 1, codes), "a new value cannot be added");
    assertTrue(d.heldBytes() > 0);
    // a block that could not be coded leaves no counts: the next block's are its own
    byte[] mixed = new byte[64 * 3];
    mixed[64] = 1;
    mixed[128] = (byte) 201; // new: the block fails after counting two codes
    assertEquals(-1, d.codeStrings(mixed, new int[] {0, 64, 128, 192}, 3, codes));
    assertEquals(d.size(), d.codeStrings(data, new int[] {0, 64, 128}, 2, codes));
    int[] want = new int[d.size()];
    want[(int) codes[0]]++;
    want[(int) codes[1]]++;
    assertArrayEquals(want, java.util.Arrays.copyOf(d.knownCounts(), want.length));
  }
}
