package dev.weft.writer;

import dev.weft.format.ColumnNode;
import dev.weft.format.NodeKind;
import dev.weft.format.encoding.SharedDictionary;
import java.util.Arrays;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The shared dictionary of one node in the row group being written (format 4.0, see
 * {@link SharedDictionary}), built while the node's blocks are sealed.
 *
 * <p>The first blocks of a row group (up to {@link #SAMPLE_VALUES} values, at most
 * {@link #SAMPLE_BLOCKS} blocks, or until they hold 8 values per entry) are a sample: their values are counted, the blocks are encoded
 * per block, and at the end of the sample the entries are ordered by frequency, so that frequent
 * values get small codes (narrow bit widths, and skewed bytes a codec compresses well). After
 * that every sealed block's values are looked up; values not yet in the dictionary are appended
 * in order of first occurrence while it has room, whether or not the block then chooses to store codes: a value a block
 * introduces is usually what makes the next blocks' codes pay. A block stores codes only where
 * they, plus {@link #entryCost} of the entries it added, beat its best per-block encoding
 * ({@link BlockSealer}); {@link #markUsed} records the highest code stored. At the end of the row
 * group only entries up to that code are written ({@link #encode}), none if no block used the
 * dictionary. The dictionary stops growing at {@link #limitBytes} raw entry bytes (entries are
 * then only looked up, and blocks with a value not in it are encoded per block, as Parquet falls
 * back) and stops being tried for the rest of the row group when it filled up, or
 * {@link #TRIAL_BLOCKS} blocks passed, without any block using it (unique ids, random floats).
 * Not thread-safe: one per node writer, used by one lane at a time.
 */
final class ChunkDictionary {
  /** Parquet's dictionary page limit; the writer lowers it for small budgets and wide schemas. */
  static final long MAX_BYTES = 1 << 20;
  /** Blocks a dictionary no block used is kept trying (after sampling) before it is given up for the row group. */
  static final int TRIAL_BLOCKS = 8;
  /** Values counted before the entries are ordered by frequency and blocks may store codes. */
  static final int SAMPLE_VALUES = 8192;
  /** At most this many blocks are sampled. */
  static final int SAMPLE_BLOCKS = 4;

  private final boolean strings;
  private final int width;
  private final boolean floating;
  private final long limitBytes;

  private long[] ints;
  private byte[] data;
  private int[] offsets;
  private int size;
  private long bytes;
  private long min = Long.MAX_VALUE;
  private long max = Long.MIN_VALUE;
  /** Open addressing: entry id + 1, 0 = empty. */
  private int[] table;
  private boolean full;
  private boolean givenUp;
  private int blocksSeen;
  private int maxUsed = -1;
  /** While sampling: occurrences of each entry; null once the entries are ordered. */
  private int[] counts;
  private long sampledValues;
  private int sampleEndBlock;

  // Value ids of the block being coded (see ValueIds): a memo from id to code + 1 (0: not yet
  // known), valid for one id scope while the entries keep their codes. Not counted in heldBytes:
  // the writer's decisions must not depend on whether a source gave ids.
  private Object idScope;
  private int[] blockIds;
  private Object memoScope;
  private int[] memo;

  /**
   * Sets the value ids of the elements of the block about to be coded ({@code ids} null: none);
   * they only spare lookups: the codes are the same.
   */
  void useIds(Object scope, int scopeSize, int[] ids) {
    if (ids == null || scope == null) {
      blockIds = null;
      idScope = null;
      return;
    }
    if (scope != memoScope) {
      memoScope = scope;
      memo = new int[scopeSize];
    }
    idScope = scope;
    idScopeSize = scopeSize;
    blockIds = ids;
  }

  private int idScopeSize;

  /** The value ids of the block about to be coded (see {@link #useIds}), or null. */
  int[] blockIds() {
    return blockIds;
  }

  /** Their scope (null: none) and its size. */
  Object idScope() {
    return idScope;
  }

  int idScopeSize() {
    return idScopeSize;
  }

  /** The empty string (with the slack {@link #shortKey} reads). */
  private static final byte[] EMPTY = new byte[8];

  /** {@link #codeKnown}'s answer when some value's code is not known from its id. */
  static final int UNKNOWN = -2;

  /**
   * The block's codes from its value ids alone, if every element has an id whose code is
   * known: then the same as {@link #codeInts} or {@link #codeStrings} would return (no value is
   * new). Otherwise {@link #UNKNOWN}, having changed nothing.
   */
  int codeKnown(int n, long[] codes) {
    return codeKnown(n, codes, false);
  }

  /**
   * As above; with {@code missingAreEmpty} (strings given by id: every element without an id is a
   * null, stored as an empty value) such an element takes the empty string's code, where the
   * dictionary has that entry (else {@link #UNKNOWN}: coding the values adds it).
   */
  int codeKnown(int n, long[] codes, boolean missingAreEmpty) {
    int[] ids = blockIds;
    if (ids == null) {
      return UNKNOWN;
    }
    // code + 1 of an element without an id (0: not known)
    int missing = missingAreEmpty && strings ? findString(EMPTY, 0, 0) + 1 : 0;
    int[] m = memo;
    int[] counts = startCounts(0);
    int lo = Integer.MAX_VALUE;
    int hi = -1;
    for (int i = 0; i < n; i++) {
      int vid = ids[i];
      int c = (vid < 0 ? missing : m[vid]) - 1;
      if (c < 0) {
        Arrays.fill(counts, 0, hi + 1, 0);
        return UNKNOWN;
      }
      lo = Math.min(lo, c);
      hi = Math.max(hi, c);
      codes[i] = c;
      counts[c]++;
    }
    endCounts(lo, hi);
    blocksSeen++;
    return sampled(n, codes) ? -1 : size;
  }

  /** The smallest and largest code the last successful coding of a block wrote (found on the way). */
  private long knownMin;
  private long knownMax;
  /**
   * How often the last coded block holds each code ({@code [0, countedHi]} may be non-zero;
   * cleared when the next block is coded). Like the memo, not counted in heldBytes: at most 4
   * bytes per entry (and per element of a block).
   */
  private int[] codeCounts = new int[0];
  private int countedHi = -1;

  /**
   * {@code counts[k]}: how many of the codes the last successful {@link #codeKnown}, {@link
   * #codeInts} or {@link #codeStrings} wrote are k (valid until the next of them).
   */
  int[] knownCounts() {
    return codeCounts;
  }

  /** Clears the last block's counts; room for codes up to the entries there will be after {@code more} new ones. */
  private int[] startCounts(int more) {
    int[] counts = codeCounts;
    if (countedHi >= 0) {
      Arrays.fill(counts, 0, countedHi + 1, 0);
      countedHi = -1;
    }
    if (counts.length < size + more) {
      counts = new int[Math.max(size + more, 2 * counts.length)];
      codeCounts = counts;
    }
    return counts;
  }

  /** Records the range of the codes just counted. */
  private void endCounts(int lo, int hi) {
    knownMin = lo;
    knownMax = hi;
    countedHi = hi;
  }

  long knownMinCode() {
    return knownMin;
  }

  long knownMaxCode() {
    return knownMax;
  }

  /** Forgets the memo (the entries' codes changed or they were dropped). */
  private void forgetIds() {
    if (memo != null) {
      Arrays.fill(memo, 0);
    }
  }

  ChunkDictionary(ColumnNode node, long limitBytes) {
    this.strings = node.kind() != NodeKind.FIXED;
    this.width = strings ? 0 : node.byteWidth();
    this.floating = node.field().getType() instanceof ArrowType.FloatingPoint;
    this.limitBytes = limitBytes;
    reset();
  }

  /** Whether {@code node}'s blocks may use a chunk dictionary. */
  static boolean applies(ColumnNode node) {
    return SharedDictionary.kindAllowed(node);
  }

  /** Forgets everything (a new row group). */
  void reset() {
    clearEntries();
    min = Long.MAX_VALUE;
    max = Long.MIN_VALUE;
    full = false;
    givenUp = false;
    blocksSeen = 0;
    maxUsed = -1;
    counts = new int[256];
    sampledValues = 0;
    sampleEndBlock = 0;
    streak = 0;
    sinceVerify = 0;
  }

  /** Whether blocks should still try codes into this dictionary. */
  boolean active() {
    return !givenUp;
  }

  /** Whether some block stored codes into it. */
  boolean used() {
    return maxUsed >= 0;
  }

  int size() {
    return size;
  }

  /** Heap bytes held (entries and hash table), counted against the writer's memory budget. */
  long heldBytes() {
    long entries = strings ? data.length + 4L * offsets.length : 8L * ints.length;
    return entries + 4L * table.length + (counts == null ? 0 : 4L * counts.length);
  }

  /** Records that a block stored codes up to {@code code}. */
  void markUsed(int code) {
    maxUsed = Math.max(maxUsed, code);
  }

  /**
   * Codes for integer values {@code v[0, n)}, adding new values while there is room.
   *
   * @return the number of entries before this block (entries at or above it are new), or -1 if
   *     some value is not in the dictionary (full) and the block cannot be coded
   */
  int codeInts(long[] v, int n, long[] codes) {
    int before = size;
    blocksSeen++;
    int[] ids = blockIds;
    int[] m = memo;
    // the codes' range and counts on the way (see knownCounts): at most n entries are new
    int[] counts = startCounts(n);
    int lo = Integer.MAX_VALUE;
    int hi = -1;
    for (int i = 0; i < n; i++) {
      int vid = ids == null ? -1 : ids[i];
      int id;
      if (vid >= 0 && m[vid] != 0) {
        id = m[vid] - 1; // a value seen before under this id
      } else {
        long x = v[i];
        id = findInt(x);
        if (id < 0) {
          id = full ? -1 : addInt(x);
          if (id < 0) {
            Arrays.fill(counts, 0, hi + 1, 0);
            return -1;
          }
        }
        if (vid >= 0) {
          m[vid] = id + 1;
        }
      }
      codes[i] = id;
      counts[id]++;
      lo = Math.min(lo, id);
      hi = Math.max(hi, id);
    }
    endCounts(lo, hi);
    return sampled(n, codes) ? -1 : before;
  }

  /** As {@link #codeInts} for strings {@code data[offsets[i], offsets[i+1])} (offsets relative to data). */
  int codeStrings(byte[] src, int[] srcOffsets, int n, long[] codes) {
    int before = size;
    blocksSeen++;
    int[] ids = blockIds;
    int[] m = memo;
    int[] counts = startCounts(n); // as codeInts
    int lo = Integer.MAX_VALUE;
    int hi = -1;
    for (int i = 0; i < n; i++) {
      int vid = ids == null ? -1 : ids[i];
      int id;
      if (vid >= 0 && m[vid] != 0) {
        id = m[vid] - 1; // a value seen before under this id
      } else {
        int from = srcOffsets[i];
        int len = srcOffsets[i + 1] - from;
        id = findString(src, from, len);
        if (id < 0) {
          id = full ? -1 : addString(src, from, len);
          if (id < 0) {
            Arrays.fill(counts, 0, hi + 1, 0);
            return -1;
          }
        }
        if (vid >= 0) {
          m[vid] = id + 1;
        }
      }
      codes[i] = id;
      counts[id]++;
      lo = Math.min(lo, id);
      hi = Math.max(hi, id);
    }
    endCounts(lo, hi);
    return sampled(n, codes) ? -1 : before;
  }

  /**
   * While sampling, counts the block's codes and returns true (a sampled block stores no codes:
   * the codes change when the entries are ordered by frequency at the end of the sample).
   */
  private boolean sampled(int n, long[] codes) {
    if (counts == null) {
      return false;
    }
    if (counts.length < size) {
      counts = Arrays.copyOf(counts, Math.max(size, counts.length * 2));
    }
    for (int i = 0; i < n; i++) {
      counts[(int) codes[i]]++;
    }
    sampledValues += n;
    return true;
  }

  /**
   * Ends sampling: orders the entries by how often the sample holds them (most frequent first,
   * ties by first occurrence), so that frequent values get small codes, which bit-pack and
   * compress better.
   */
  private void orderByFrequency() {
    int m = size;
    if (counts.length < m) {
      counts = Arrays.copyOf(counts, m); // entries added by a block that then could not be coded
    }
    Integer[] order = new Integer[m];
    for (int k = 0; k < m; k++) {
      order[k] = k;
    }
    int[] c = counts;
    Arrays.sort(order, (a, b) -> c[a] != c[b] ? Integer.compare(c[b], c[a]) : Integer.compare(a, b));
    // the passes are methods of their own: the JIT compiles each loop once, small, instead of
    // compiling all of this method again for each hot loop (on-stack replacement)
    if (strings) {
      reorderStrings(order, m);
    } else {
      reorderInts(order, m);
    }
    rehash(m);
    counts = null;
    sampleEndBlock = blocksSeen;
    forgetIds(); // the codes changed
  }

  /** Puts the string entries in {@code order} (entry {@code order[k]} becomes entry k). */
  private void reorderStrings(Integer[] order, int m) {
    byte[] d = new byte[data.length];
    int[] o = new int[offsets.length];
    int at = 0;
    for (int k = 0; k < m; k++) {
      int e = order[k];
      int len = offsets[e + 1] - offsets[e];
      System.arraycopy(data, offsets[e], d, at, len);
      at += len;
      o[k + 1] = at;
    }
    data = d;
    offsets = o;
  }

  /** Puts the integer entries in {@code order}. */
  private void reorderInts(Integer[] order, int m) {
    long[] v = new long[ints.length];
    for (int k = 0; k < m; k++) {
      v[k] = ints[order[k]];
    }
    ints = v;
  }

  /** Rebuilds the hash table for the first {@code m} entries at their current codes. */
  private void rehash(int m) {
    Arrays.fill(table, 0);
    for (int k = 0; k < m; k++) {
      place(strings ? hashOf(data, offsets[k], offsets[k + 1] - offsets[k]) : mix(ints[k]), k);
    }
  }

  /** Ends a block's turn (after its choice and {@link #markUsed}): gives up a dictionary nobody reuses. */
  void endBlock() {
    if (counts != null) {
      // a sample that already holds each entry 8 times on average has its frequencies (low cardinality)
      if (full || sampledValues >= SAMPLE_VALUES || blocksSeen >= SAMPLE_BLOCKS || sampledValues >= 8L * size) {
        orderByFrequency();
      }
      return;
    }
    if (!used() && (full || blocksSeen >= sampleEndBlock + TRIAL_BLOCKS)) {
      givenUp = true; // nothing reused it: free the memory for the rest of the row group
      clearEntries();
    }
  }

  /** Drops every entry and the hash table (their memory too). */
  private void clearEntries() {
    forgetIds();
    ints = strings ? null : new long[0];
    data = strings ? new byte[0] : null;
    offsets = strings ? new int[] {0} : null;
    table = new int[0];
    size = 0;
    bytes = 0;
  }

  /** Blocks between two full selections of how a block's codes are stored. */
  static final int CODES_RESAMPLE = 16;
  private int codesScheme = -1;
  private boolean codesAligned;
  private int sinceCodesSample = CODES_RESAMPLE;

  /** Whether the next block should try every way of storing its codes (both widths, every scheme). */
  boolean sampleCodes() {
    return sinceCodesSample >= CODES_RESAMPLE;
  }

  /** The remembered way of storing codes: byte-aligned widths. */
  boolean codesAligned() {
    return codesAligned;
  }

  /** The remembered scheme of the codes stream (-1 none). */
  int codesScheme() {
    return codesScheme;
  }

  /** Records how a block's codes were best stored ({@code sampled}: by a full selection). */
  void codesChosen(boolean sampled, boolean aligned, int scheme) {
    if (sampled) {
      codesAligned = aligned;
      codesScheme = scheme;
      sinceCodesSample = 0;
    } else {
      sinceCodesSample++;
    }
  }

  /** Full comparisons in a row that codes won before blocks store codes without comparing. */
  static final int TRUST_STREAK = 2;
  /** Blocks stored as codes without comparing between two full comparisons. */
  static final int VERIFY_INTERVAL = 16;
  /** A block stored as codes without comparing may be this much larger (per raw byte) than the last winner. */
  static final double DRIFT = 1.10;
  private int streak;
  private int sinceVerify;
  private double ratio;

  /**
   * Whether blocks may be stored as codes without comparing them with the per-block encodings:
   * codes won the last {@link #TRUST_STREAK} comparisons and a comparison is not due.
   */
  boolean trusted() {
    return counts == null && streak >= TRUST_STREAK && sinceVerify < VERIFY_INTERVAL;
  }

  /** Records a full comparison: whether codes won, and their stored bytes (with entries) per raw byte. */
  void compared(boolean won, double ratio) {
    if (won) {
      streak++;
      this.ratio = ratio;
    } else {
      streak = 0;
    }
    sinceVerify = 0;
  }

  /** Whether codes stored alone in {@code stored} bytes (with entries) are acceptable; counts it if so. */
  boolean acceptAlone(long stored, int rawLength) {
    if (stored > ratio * DRIFT * rawLength + 16) {
      return false;
    }
    sinceVerify++;
    return true;
  }

  /** Whether the entries are still being sampled (no block may store codes yet). */
  boolean sampling() {
    return counts != null;
  }

  /**
   * Estimated stored bytes of entries {@code [from, size)}: integers at the byte width the
   * dictionary's range needs, strings at their length plus one.
   */
  long entryCost(int from) {
    if (from >= size) {
      return 0;
    }
    if (!strings) {
      int bits = 64 - Long.numberOfLeadingZeros(max - min);
      return (long) (size - from) * Math.max(1, (bits + 7) / 8);
    }
    return offsets[size] - offsets[from] + (size - from);
  }

  /** The raw dictionary of the entries up to the highest code a block stored. */
  byte[] encode() {
    int m = maxUsed + 1;
    return strings ? SharedDictionary.encodeStrings(data, offsets, m) : SharedDictionary.encodeInts(ints, m, width,
        floating);
  }

  /** Entries {@link #encode} writes. */
  int encodedEntries() {
    return maxUsed + 1;
  }

  // ---------------------------------------------------------------- hashing

  private static int mix(long k) {
    k *= 0x9E3779B97F4A7C15L;
    return (int) (k >>> 32) ^ (int) k;
  }

  private int findInt(long x) {
    if (table.length == 0) {
      return -1;
    }
    int mask = table.length - 1;
    for (int slot = mix(x) & mask; ; slot = (slot + 1) & mask) {
      int e = table[slot];
      if (e == 0) {
        return -1;
      }
      if (ints[e - 1] == x) {
        return e - 1;
      }
    }
  }

  private int addInt(long x) {
    if (bytes + width > limitBytes || size >= SharedDictionary.MAX_ENTRIES) {
      full = true;
      return -1;
    }
    if (size == ints.length) {
      ints = Arrays.copyOf(ints, Math.max(256, size * 2));
    }
    ints[size] = x;
    min = Math.min(min, x);
    max = Math.max(max, x);
    bytes += width;
    insert(mix(x), size);
    return size++;
  }

  /**
   * A string's hash: strings under 8 bytes (codes, names: most dictionary strings) from their
   * bytes read as one long, longer ones byte by byte. Only the table's layout depends on it.
   */
  private static int hashOf(byte[] b, int from, int len) {
    return len < 8 ? mix(shortKey(b, from, len) ^ (long) len << 58) : hashBytes(b, from, len);
  }

  private static final java.lang.invoke.VarHandle LONG_LE =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  /** The {@code len < 8} bytes at {@code from}, little-endian, zero-padded: equal keys and lengths mean equal strings. */
  private static long shortKey(byte[] b, int from, int len) {
    if (from + 8 <= b.length) {
      return (long) LONG_LE.get(b, from) & ((1L << (len << 3)) - 1);
    }
    long k = 0;
    for (int i = len - 1; i >= 0; i--) {
      k = k << 8 | (b[from + i] & 0xFF);
    }
    return k;
  }

  private static int hashBytes(byte[] b, int from, int len) {
    long h = len;
    int i = from;
    int end = from + len;
    for (; i + 8 <= end; i += 8) {
      h = (h ^ longAt(b, i)) * 0x9E3779B97F4A7C15L;
    }
    long tail = 0;
    for (; i < end; i++) {
      tail = tail << 8 | (b[i] & 0xFF);
    }
    return mix(h ^ tail);
  }

  private static long longAt(byte[] b, int i) {
    return (b[i] & 0xFFL) | (b[i + 1] & 0xFFL) << 8 | (b[i + 2] & 0xFFL) << 16 | (b[i + 3] & 0xFFL) << 24
        | (b[i + 4] & 0xFFL) << 32 | (b[i + 5] & 0xFFL) << 40 | (b[i + 6] & 0xFFL) << 48 | (b[i + 7] & 0xFFL) << 56;
  }

  private int findString(byte[] src, int from, int len) {
    if (table.length == 0) {
      return -1;
    }
    int mask = table.length - 1;
    if (len < 8) {
      // one long compare per candidate entry instead of a byte loop
      long key = shortKey(src, from, len);
      for (int slot = mix(key ^ (long) len << 58) & mask; ; slot = (slot + 1) & mask) {
        int e = table[slot];
        if (e == 0) {
          return -1;
        }
        int k = e - 1;
        int at = offsets[k];
        if (offsets[k + 1] - at == len && shortKey(data, at, len) == key) {
          return k;
        }
      }
    }
    for (int slot = hashBytes(src, from, len) & mask; ; slot = (slot + 1) & mask) {
      int e = table[slot];
      if (e == 0) {
        return -1;
      }
      int k = e - 1;
      int at = offsets[k];
      if (offsets[k + 1] - at == len && sameBytes(data, at, src, from, len)) {
        return k;
      }
    }
  }

  /**
   * Whether {@code a[ai, ai+len)} equals {@code b[bi, bi+len)}: short values (codes, names) byte
   * by byte, which costs less than {@link Arrays#equals}' call chain when C1 compiles the writer.
   */
  private static boolean sameBytes(byte[] a, int ai, byte[] b, int bi, int len) {
    if (len > 16) {
      return Arrays.equals(a, ai, ai + len, b, bi, bi + len);
    }
    for (int i = 0; i < len; i++) {
      if (a[ai + i] != b[bi + i]) {
        return false;
      }
    }
    return true;
  }

  private int addString(byte[] src, int from, int len) {
    if (bytes + len + 4 > limitBytes || size >= SharedDictionary.MAX_ENTRIES) {
      full = true;
      return -1;
    }
    int end = offsets[size];
    if (end + len > data.length) {
      data = Arrays.copyOf(data, Math.max(Math.max(1024, end + len), data.length * 2));
    }
    System.arraycopy(src, from, data, end, len);
    if (size + 2 > offsets.length) {
      offsets = Arrays.copyOf(offsets, Math.max(257, offsets.length * 2));
    }
    offsets[size + 1] = end + len;
    bytes += len + 4;
    insert(hashOf(src, from, len), size);
    return size++;
  }

  private void insert(int hash, int id) {
    if ((size + 1) * 2 > table.length) {
      table = new int[Math.max(1024, table.length * 2)];
      for (int k = 0; k < size; k++) {
        place(strings ? hashOf(data, offsets[k], offsets[k + 1] - offsets[k]) : mix(ints[k]), k);
      }
    }
    place(hash, id);
  }

  private void place(int hash, int id) {
    int mask = table.length - 1;
    int slot = hash & mask;
    while (table[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    table[slot] = id + 1;
  }
}
