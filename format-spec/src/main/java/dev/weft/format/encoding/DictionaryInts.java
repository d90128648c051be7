package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.util.Arrays;

/**
 * DICTIONARY (scheme 5): the distinct values, sorted ascending, and each value's index into
 * them (its code), both as cascaded streams. Sorted entries suit DELTA or FOR; the codes are
 * usually FOR-bit-packed (or run-length encoded).
 *
 * <pre>
 * DictionaryInts --&gt; Scheme u8 = 5, NumEntries VarInt (1..n), Entries IntStream(NumEntries), Codes IntStream(n)
 * </pre>
 *
 * Value i is {@code Entries[Codes[i]]}; a code outside {@code [0, NumEntries)} is corruption
 * (checked when the value is read). Example: 700, 12, 700, 700, 12 is entries 12, 700 and codes
 * 1, 0, 1, 1, 0 (FOR, 1 bit: byte {@code 0x0D}).
 *
 * <p>Limits: needs a level below ({@link IntStreams#MAX_DEPTH}); at most n entries. Single value:
 * O(1) when the codes are bit-packed (the entries are decoded when the block is parsed, 8 bytes
 * each). Selection: tried when there are at most n/2 distinct values and their codes need fewer
 * bits than the values' range (for floats: whenever the distinct values are few, by bit pattern).
 */
public final class DictionaryInts {
  public static final int ID = 5;

  private DictionaryInts() {}

  /** Encodes with the given sorted distinct values of {@code v[0, n)}. */
  public static void encode(long[] v, int n, long[] sortedDistinct, int depth, IntStreams.Hints h, MetaOutput out) {
    long[] codes = codes(v, n, sortedDistinct);
    out.u8(ID);
    Varints.write(out, sortedDistinct.length);
    IntStreams.encode(sortedDistinct, sortedDistinct.length, depth + 1, h.child(), out);
    IntStreams.encode(codes, n, depth + 1, h.child(), out);
  }

  /** Each value's index among the sorted distinct values (its code). */
  static long[] codes(long[] v, int n, long[] sortedDistinct) {
    // each way is a method of its own: the JIT compiles its loops once, small, instead of
    // compiling all of codes again for each hot loop (on-stack replacement)
    long[] codes = new long[n];
    int m = sortedDistinct.length;
    long range = m == 0 ? -1 : sortedDistinct[m - 1] - sortedDistinct[0];
    if (range >= 0 && range < 1 << 16) {
      codesByOffset(v, n, sortedDistinct, (int) range, codes);
    } else if (!sortedCodes(v, n, sortedDistinct, codes)) {
      // (values that never descend, timestamps and the like, are coded by walking the entries)
      if (m <= 16) {
        for (int i = 0; i < n; i++) {
          codes[i] = Arrays.binarySearch(sortedDistinct, v[i]);
        }
      } else {
        codesByHash(v, n, sortedDistinct, codes);
      }
    }
    return codes;
  }

  /** Codes of values within a small range: an index from each value's offset to its entry. */
  private static void codesByOffset(long[] v, int n, long[] sortedDistinct, int range, long[] codes) {
    int m = sortedDistinct.length;
    int[] index = new int[range + 1];
    for (int k = 0; k < m; k++) {
      index[(int) (sortedDistinct[k] - sortedDistinct[0])] = k;
    }
    for (int i = 0; i < n; i++) {
      codes[i] = index[(int) (v[i] - sortedDistinct[0])];
    }
  }

  /**
   * Codes through a hash table from value to its index in the sorted entries: one probe or two
   * per value instead of a binary search (the codes are the same).
   */
  private static void codesByHash(long[] v, int n, long[] sortedDistinct, long[] codes) {
    int m = sortedDistinct.length;
    int cap = Integer.highestOneBit(m * 2 - 1) << 1; // at most half full
    long[] keys = new long[cap];
    int[] slots = new int[cap]; // index + 1; 0 = empty
    int mask = cap - 1;
    for (int k = 0; k < m; k++) {
      long x = sortedDistinct[k];
      int at = slot(x, mask);
      while (slots[at] != 0) {
        at = (at + 1) & mask;
      }
      keys[at] = x;
      slots[at] = k + 1;
    }
    for (int i = 0; i < n; i++) {
      long x = v[i];
      int at = slot(x, mask);
      while (keys[at] != x || slots[at] == 0) {
        if (slots[at] == 0) {
          throw new IllegalArgumentException("value " + x + " is not among the dictionary's entries");
        }
        at = (at + 1) & mask;
      }
      codes[i] = slots[at] - 1;
    }
  }

  /**
   * Codes of values that never descend, by one walk along the sorted entries: the index of each
   * value among them, as the other ways find it. Returns false, with {@code codes} partly
   * written, at the first value that descends (then another way codes them all).
   */
  static boolean sortedCodes(long[] v, int n, long[] sortedDistinct, long[] codes) {
    int m = sortedDistinct.length;
    int k = 0;
    for (int i = 0; i < n; i++) {
      long x = v[i];
      while (k < m && sortedDistinct[k] < x) {
        k++;
      }
      if (k == m || sortedDistinct[k] != x) {
        return false;
      }
      codes[i] = k;
    }
    return true;
  }

  private static int slot(long x, int mask) {
    long h = x * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }

  static Decoder decode(EncodedInput in, int n, int depth) {
    if (depth >= IntStreams.MAX_DEPTH) {
      throw new MalformedEncodingException("dictionary at cascade level " + depth);
    }
    int m = Varints.readCount(in, "dictionary size", n);
    if (m == 0 && n > 0) {
      throw new MalformedEncodingException("empty dictionary for " + n + " values");
    }
    long[] entries = IntStreams.parse(in, m, depth + 1).decodeAll();
    IntDecoder codes = IntStreams.parse(in, n, depth + 1);
    return new Decoder(entries, codes, n);
  }

  public record Decoder(long[] entries, IntDecoder codes, int size) implements IntDecoder {
    private long entry(long code) {
      if (code < 0 || code >= entries.length) {
        throw new MalformedEncodingException("dictionary code " + code + " outside [0, " + entries.length + ")");
      }
      return entries[(int) code];
    }

    @Override
    public long get(int i) {
      return entry(codes.get(i));
    }

    @Override
    public void decode(int from, int n, long[] dst, int off) {
      codes.decode(from, n, dst, off);
      for (int k = off; k < off + n; k++) {
        dst[k] = entry(dst[k]);
      }
    }

    @Override
    public long retainedBytes() {
      return 8L * entries.length + codes.retainedBytes();
    }
  }
}
