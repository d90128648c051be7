package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.util.Arrays;

/**
 * FSST string compression (Boncz, Neumann, Leis, VLDB 2020), Weft's variant: each string is
 * compressed on its own with a block-local table of up to 255 <i>symbols</i> (byte strings of
 * 1 to 8 bytes), so one value decodes alone from the table and its own codes. String scheme 2
 * (format 3.0), the body after the scheme byte of a {@link StringStreams} stream:
 *
 * <pre>
 * FSST --&gt; NumSymbols u8 (0..255), SymbolLength u8^NumSymbols (each 1..8),
 *          SymbolBytes byte[sum of SymbolLength], CodeLengths IntStream(n), Codes byte[sum of CodeLengths]
 * </pre>
 *
 * Value <i>i</i> is the decoding of its own code bytes, {@code Codes[CodeStart[i], CodeStart[i] +
 * CodeLengths[i])} where {@code CodeStart} is the prefix sum of CodeLengths: a code byte
 * {@code c < NumSymbols} stands for symbol {@code c}; the byte 255 (ESCAPE) stands for the byte
 * that follows it, literally. Symbols are numbered in the order they are stored.
 *
 * <p>Worked example: the strings "http://a", "http://b" with the table {0: "http://"} (7 bytes)
 * are 1 symbol, length {@code 07}, bytes {@code http://}, code lengths CONSTANT 3 and codes
 * {@code 00 FF 61 00 FF 62} ("http://", escape, 'a'; "http://", escape, 'b'). A real table
 * would also hold 'a' and 'b' as one-byte symbols where they are frequent.
 *
 * <p>Checked when decoding (a {@link MalformedEncodingException} otherwise): symbol lengths in
 * 1..8; code bytes below NumSymbols or ESCAPE; an ESCAPE is followed by a byte of the same value;
 * code lengths &gt;= 0 and within the bytes left; the strings of a block decode to at most
 * 2^31 - 65 bytes (at most 8 bytes per code byte, so the output is bounded before allocating).
 *
 * <p>Limits: 255 symbols of at most 8 bytes; the table is trained on at most {@link #SAMPLE}
 * bytes of the block (5 generations of the paper's counting of symbols and symbol pairs, gain =
 * count x length); a block of a few KiB pays up to about 2 KiB of table. Encoding is greedy longest
 * match, using the symbols indexed by first byte. Selection: the writer tries FSST as part of
 * its full selection (with the exact-width candidates, not the byte-aligned ones) and keeps it
 * where the block, after the codec pass, is the smallest: typically text without a codec or with
 * LZ4, where FSST compresses to about half. With zstd, zstd on the plain bytes usually wins and
 * FSST is then not chosen.
 */
public final class FsstStrings {
  /** The byte that escapes a literal byte. */
  public static final int ESCAPE = 255;
  /** The most symbols a table holds. */
  public static final int MAX_SYMBOLS = 255;
  /** The longest symbol. */
  public static final int MAX_SYMBOL_LENGTH = 8;
  /** Bytes of a block the table is trained on (evenly spread chunks of larger blocks). */
  public static final int SAMPLE = 16 * 1024;
  /** The most bytes one FSST stream encodes (escapes may double them). */
  public static final int MAX_INPUT = 256 << 20;
  private static final int GENERATIONS = 5;
  private static final long MAX_BYTES = Integer.MAX_VALUE - 64;

  private FsstStrings() {}

  /** A symbol table: symbol {@code k} is the first {@code lengths[k]} bytes of {@code symbols[k]} (LE). */
  record Table(long[] symbols, int[] lengths) {
    int size() {
      return lengths.length;
    }
  }

  // ---------------------------------------------------------------- encoder

  /**
   * Writes the FSST body (after the scheme byte) of n strings of {@code data} with the given
   * lengths, the integer streams at cascade level {@code depth + 1}.
   *
   * @param force write the stream even where training finds that FSST does not compress (every
   *     byte then escaped); otherwise return false and write nothing in that case
   */
  static boolean encode(byte[] data, long[] lengths, int n, int depth, IntStreams.Hints h, MetaOutput out,
      boolean force) {
    if (data.length > MAX_INPUT) {
      throw new IllegalArgumentException("FSST input of " + data.length + " bytes (at most " + MAX_INPUT + ")");
    }
    Table table = train(data, lengths, n);
    if (table == null) {
      if (!force) {
        return false;
      }
      table = new Table(new long[0], new int[0]);
    }
    Matcher m = new Matcher(table);
    byte[] codes = new byte[Math.max(16, 2 * data.length)];
    long[] codeLengths = new long[n];
    int[] used = new int[table.size()];
    int at = 0;
    int pos = 0;
    for (int i = 0; i < n; i++) {
      int len = (int) lengths[i];
      int start = at;
      at = m.compress(data, pos, pos + len, codes, at, used);
      codeLengths[i] = at - start;
      pos += len;
    }
    // drop unused symbols (the greedy parse never picks them, so it does not change) and renumber
    int[] renumber = new int[table.size()];
    int kept = 0;
    for (int k = 0; k < table.size(); k++) {
      renumber[k] = used[k] > 0 ? kept++ : -1;
    }
    out.u8(kept);
    for (int k = 0; k < table.size(); k++) {
      if (renumber[k] >= 0) {
        out.u8(table.lengths()[k]);
      }
    }
    for (int k = 0; k < table.size(); k++) {
      if (renumber[k] >= 0) {
        long s = table.symbols()[k];
        for (int j = 0; j < table.lengths()[k]; j++) {
          out.u8((int) (s >>> (8 * j)) & 0xFF);
        }
      }
    }
    for (int i = 0; i < at; i++) {
      int c = codes[i] & 0xFF;
      if (c == ESCAPE) {
        i++; // the literal stays
      } else {
        codes[i] = (byte) renumber[c];
      }
    }
    IntStreams.encode(codeLengths, n, depth + 1, h.child(), out);
    out.bytes(codes, 0, at);
    return true;
  }

  /** Greedy longest-match compression with a table indexed by first byte. */
  static final class Matcher {
    private final Table table;
    /**
     * Symbol ids grouped by first byte, longest first and then by id: the group of byte b is
     * {@code ids[start[b], start[b + 1])}. Flat arrays filled by counting (no lists, boxing or
     * sorting): a matcher is built seven times per training, too few times for the JIT to
     * compile its constructor, so it runs in the interpreter.
     */
    private final int[] ids;
    private final int[] start = new int[257];

    Matcher(Table table) {
      this.table = table;
      long[] symbols = table.symbols();
      int[] lengths = table.lengths();
      int size = table.size();
      for (int k = 0; k < size; k++) {
        start[((int) symbols[k] & 0xFF) + 1]++;
      }
      for (int b = 0; b < 256; b++) {
        start[b + 1] += start[b];
      }
      ids = new int[size];
      int[] next = Arrays.copyOf(start, 256);
      for (int len = MAX_SYMBOL_LENGTH; len >= 1; len--) {
        for (int k = 0; k < size; k++) {
          if (lengths[k] == len) {
            ids[next[(int) symbols[k] & 0xFF]++] = k;
          }
        }
      }
    }

    /** The symbol id matching at {@code pos} (not past {@code end}), or -1. */
    int match(byte[] d, int pos, int end) {
      int b = d[pos] & 0xFF;
      int from = start[b];
      int to = start[b + 1];
      if (from == to) {
        return -1;
      }
      int avail = Math.min(MAX_SYMBOL_LENGTH, end - pos);
      long word = load(d, pos, avail);
      for (int i = from; i < to; i++) {
        int k = ids[i];
        int len = table.lengths()[k];
        long mask = len == 8 ? -1L : (1L << (8 * len)) - 1;
        if (len <= avail && ((word ^ table.symbols()[k]) & mask) == 0) {
          return k;
        }
      }
      return -1;
    }

    /** Compresses {@code d[from, to)} into {@code out} at {@code at}; returns the new end. */
    int compress(byte[] d, int from, int to, byte[] out, int at, int[] used) {
      int pos = from;
      while (pos < to) {
        int k = match(d, pos, to);
        if (k >= 0) {
          out[at++] = (byte) k;
          used[k]++;
          pos += table.lengths()[k];
        } else {
          out[at++] = (byte) ESCAPE;
          out[at++] = d[pos++];
        }
      }
      return at;
    }
  }

  /** Up to 8 bytes at {@code pos} as a little-endian long (missing bytes zero). */
  private static long load(byte[] d, int pos, int len) {
    long w = 0;
    for (int j = len - 1; j >= 0; j--) {
      w = w << 8 | (d[pos + j] & 0xFF);
    }
    return w;
  }

  /**
   * Trains a table on (a sample of) the strings: each generation compresses the sample with the
   * current table, counts each emitted code and each pair of consecutive codes, and keeps the 255
   * candidates (the codes, single bytes, and concatenations of pairs cut to 8 bytes) of the
   * highest gain (count x length). Returns null, early, where the third parse still takes more than
   * 85% of the sample's bytes (random or already compressed strings), so that such blocks cost
   * little training time.
   */
  static Table train(byte[] data, long[] lengths, int n) {
    Sample sample = sample(data, lengths, n);
    Table table = new Table(new long[0], new int[0]);
    int codesMax = MAX_SYMBOLS + 256;
    int[] count1 = new int[codesMax];
    int[] count2 = pairCounts();
    int[] touched = new int[Math.max(16, sample.bytes().length)];
    for (int gen = 0; gen < GENERATIONS; gen++) {
      Arrays.fill(count1, 0);
      int[] touchedCount = {0};
      long outBytes = countCodes(table, new Matcher(table), sample, count1, count2, touched, touchedCount);
      int numTouched = touchedCount[0];
      if (gen == 2 && outBytes > EARLY_EXIT * sample.bytes().length) {
        // two generations of symbols (up to 4 bytes) hardly compress: FSST will not pay here
        clear(count2, touched, numTouched);
        PAIR_COUNTS.set(count2);
        return null;
      }
      table = candidates(table, count1, count2, touched, numTouched).best();
    }
    PAIR_COUNTS.set(count2); // all zero again: candidates cleared every pair it read
    return prune(table, sample);
  }

  /**
   * Per-thread pair counts (511 x 511 ints, 1 MiB), all zero between trainings: a training
   * clears the entries it counted, so the next one on the thread reuses the array instead of
   * allocating (and page-faulting in) a fresh megabyte. Taken while in use.
   */
  private static final ThreadLocal<int[]> PAIR_COUNTS = new ThreadLocal<>();

  private static int[] pairCounts() {
    int[] a = PAIR_COUNTS.get();
    if (a != null) {
      PAIR_COUNTS.set(null);
      return a;
    }
    int codesMax = MAX_SYMBOLS + 256;
    return new int[codesMax * codesMax];
  }

  // The passes of a generation are methods of their own, not loops of train: the JIT compiles
  // each once, small, instead of compiling all of train again for each hot loop (on-stack
  // replacement; train runs a few times per file, so its loops are what gets hot).

  /**
   * Parses the sample with {@code table}: counts each code ({@code count1}) and each pair of
   * consecutive codes ({@code count2}, the pairs first seen listed in {@code touched}, their
   * number stored in {@code touchedCount[0]}); returns the bytes the sample would take.
   */
  private static long countCodes(Table table, Matcher m, Sample sample, int[] count1, int[] count2, int[] touched,
      int[] touchedCount) {
    int codesMax = MAX_SYMBOLS + 256;
    int numTouched = 0;
    long outBytes = 0;
    int from = 0;
    for (int end : sample.ends()) {
      int prev = -1;
      int pos = from;
      while (pos < end) {
        int k = m.match(sample.bytes(), pos, end);
        int code;
        if (k >= 0) {
          code = k;
          pos += table.lengths()[k];
          outBytes++;
        } else {
          code = MAX_SYMBOLS + (sample.bytes()[pos] & 0xFF);
          pos++;
          outBytes += 2;
        }
        count1[code]++;
        if (prev >= 0) {
          int pair = prev * codesMax + code;
          if (count2[pair]++ == 0) {
            touched[numTouched++] = pair;
          }
        }
        prev = code;
      }
      from = end;
    }
    touchedCount[0] = numTouched;
    return outBytes;
  }

  /**
   * The next generation's candidates by content: every code, and every pair of consecutive
   * codes concatenated, with their gains; clears the pair counts it reads.
   */
  private static Candidates candidates(Table table, int[] count1, int[] count2, int[] touched, int numTouched) {
    int codesMax = MAX_SYMBOLS + 256;
    Candidates gains = new Candidates(codesMax + numTouched);
    for (int c = 0; c < codesMax; c++) {
      if (count1[c] > 0) {
        // a one-byte symbol saves the escape byte; longer ones save len - 1 bytes and the escapes
        int len = codeLength(table, c);
        gains.add(codeSymbol(table, c), len, (long) count1[c] * (len == 1 ? 1 : len));
      }
    }
    for (int t = 0; t < numTouched; t++) {
      int pair = touched[t];
      int c = pair / codesMax;
      int c2 = pair % codesMax;
      int cnt = count2[pair];
      count2[pair] = 0;
      int len = codeLength(table, c);
      if (len == MAX_SYMBOL_LENGTH) {
        continue;
      }
      int total = Math.min(MAX_SYMBOL_LENGTH, len + codeLength(table, c2));
      long concat = codeSymbol(table, c) | (codeSymbol(table, c2) << (8 * len));
      if (total < 8) {
        concat &= (1L << (8 * total)) - 1;
      }
      gains.add(concat, total, (long) cnt * total);
    }
    return gains;
  }

  /** A training stops after its third parse if the sample still takes more than this share of its bytes. */
  private static final double EARLY_EXIT = 0.85;

  private static void clear(int[] count2, int[] touched, int numTouched) {
    for (int t = 0; t < numTouched; t++) {
      count2[touched[t]] = 0;
    }
  }

  /** Codes below {@link #MAX_SYMBOLS} are table symbols, the others single literal bytes. */
  private static long codeSymbol(Table table, int code) {
    return code < MAX_SYMBOLS ? table.symbols()[code] : code - MAX_SYMBOLS;
  }

  private static int codeLength(Table table, int code) {
    return code < MAX_SYMBOLS ? table.lengths()[code] : 1;
  }

  /**
   * Drops the symbols that cover fewer sample bytes than twice what they cost in the table (their
   * bytes and their length byte): a block pays for its own table, so rarely used symbols cost more
   * than they save.
   */
  private static Table prune(Table table, Sample sample) {
    int[] used = new int[table.size()];
    Matcher m = new Matcher(table);
    byte[] scratch = new byte[2 * sample.bytes().length + 16];
    int from = 0;
    for (int end : sample.ends()) {
      m.compress(sample.bytes(), from, end, scratch, 0, used);
      from = end;
    }
    int k = 0;
    long[] syms = new long[table.size()];
    int[] lens = new int[table.size()];
    for (int c = 0; c < table.size(); c++) {
      int len = table.lengths()[c];
      if ((long) used[c] * len >= 2L * (len + 1)) {
        syms[k] = table.symbols()[c];
        lens[k++] = len;
      }
    }
    return new Table(Arrays.copyOf(syms, k), Arrays.copyOf(lens, k));
  }

  /** Candidate symbols and their summed gains: open addressing on primitive arrays. */
  private static final class Candidates {
    private final long[] syms;
    private final int[] lens; // 0 = empty slot
    private final long[] gains;
    private final int mask;
    private int size;

    Candidates(int expected) {
      int cap = Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1;
      syms = new long[cap];
      lens = new int[cap];
      gains = new long[cap];
      mask = cap - 1;
    }

    void add(long sym, int len, long gain) {
      long h = (sym ^ len) * 0x9E3779B97F4A7C15L;
      int slot = (int) (h >>> 40) & mask;
      while (lens[slot] != 0 && (lens[slot] != len || syms[slot] != sym)) {
        slot = (slot + 1) & mask;
      }
      if (lens[slot] == 0) {
        lens[slot] = len;
        syms[slot] = sym;
        size++;
      }
      gains[slot] += gain;
    }

    /**
     * The 255 candidates of the highest gain that save more than they cost in the table; ties by
     * slot, which depends only on the candidates, so training is deterministic.
     */
    Table best() {
      long[] order = new long[size];
      int k = 0;
      for (int slot = 0; slot <= mask; slot++) {
        // a symbol must save more than it costs in the table
        if (lens[slot] != 0 && gains[slot] > 1 + lens[slot]) {
          order[k++] = -(Math.min(gains[slot], (1L << 38) - 1) << 24 | (mask - slot));
        }
      }
      Arrays.sort(order, 0, k);
      int m = Math.min(MAX_SYMBOLS, k);
      long[] outSyms = new long[m];
      int[] outLens = new int[m];
      for (int i = 0; i < m; i++) {
        int slot = mask - (int) (-order[i] & ((1 << 24) - 1));
        outSyms[i] = syms[slot];
        outLens[i] = lens[slot];
      }
      return new Table(outSyms, outLens);
    }
  }

  /** Training bytes and where each of their strings (or pieces) ends. */
  private record Sample(byte[] bytes, int[] ends) {}

  /**
   * The strings themselves when they total at most {@link #SAMPLE} bytes, else evenly spaced
   * pieces of up to 512 bytes (string boundaries kept where a string fits).
   */
  private static Sample sample(byte[] data, long[] lengths, int n) {
    if (data.length <= SAMPLE) {
      int[] ends = new int[n];
      int pos = 0;
      for (int i = 0; i < n; i++) {
        pos += (int) lengths[i];
        ends[i] = pos;
      }
      return new Sample(data, ends);
    }
    byte[] out = new byte[SAMPLE];
    int pieces = SAMPLE / 512;
    int[] ends = new int[pieces];
    long step = data.length / pieces;
    int at = 0;
    for (int p = 0; p < pieces; p++) {
      int from = (int) (p * step);
      int len = Math.min(512, data.length - from);
      System.arraycopy(data, from, out, at, len);
      at += len;
      ends[p] = at;
    }
    return new Sample(Arrays.copyOf(out, at), ends);
  }

  // ---------------------------------------------------------------- decoder

  private static final java.lang.invoke.VarHandle LONG_LE =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  /** A parsed FSST stream: the table and each value's codes. */
  public static final class Parsed {
    private final byte[] symbolBytes;
    private final int[] symbolStart;
    private final byte[] codes;
    private final int[] codeOffsets;

    /** Each symbol's bytes as a little-endian long (zero past its length) and its length. */
    private final long[] symbolWords;
    private final int[] symbolLengths;

    private Parsed(byte[] symbolBytes, int[] symbolStart, byte[] codes, int[] codeOffsets) {
      int m = symbolStart.length - 1;
      symbolWords = new long[m];
      symbolLengths = new int[m];
      for (int k = 0; k < m; k++) {
        symbolLengths[k] = symbolStart[k + 1] - symbolStart[k];
        long word = 0;
        for (int b = symbolLengths[k] - 1; b >= 0; b--) {
          word = word << 8 | (symbolBytes[symbolStart[k] + b] & 0xFF);
        }
        symbolWords[k] = word;
      }
      this.symbolBytes = symbolBytes;
      this.symbolStart = symbolStart;
      this.codes = codes;
      this.codeOffsets = codeOffsets;
    }

    /** Decodes value {@code i} alone (its own codes and the table). */
    public byte[] value(int i) {
      int from = codeOffsets[i];
      int to = codeOffsets[i + 1];
      byte[] out = new byte[decodedLength(from, to)];
      decodeInto(from, to, out, 0);
      return out;
    }

    private int decodedLength(int from, int to) {
      long len = 0;
      int numSymbols = symbolStart.length - 1;
      for (int j = from; j < to; j++) {
        int c = codes[j] & 0xFF;
        if (c == ESCAPE) {
          if (++j >= to) {
            throw new MalformedEncodingException("FSST escape at the end of a value's codes");
          }
          len++;
        } else if (c >= numSymbols) {
          throw new MalformedEncodingException("FSST code " + c + " outside the table of " + numSymbols + " symbols");
        } else {
          len += symbolStart[c + 1] - symbolStart[c];
        }
      }
      return (int) len; // at most 8 per code byte, checked by the caller's bound
    }

    private int decodeInto(int from, int to, byte[] out, int at) {
      int safeEnd = out.length - 8; // below it a symbol is written as one 8-byte store
      for (int j = from; j < to; j++) {
        int c = codes[j] & 0xFF;
        if (c == ESCAPE) {
          out[at++] = codes[++j];
        } else if (at <= safeEnd) {
          // the bytes past the symbol are overwritten by the next symbols or strings
          LONG_LE.set(out, at, symbolWords[c]);
          at += symbolLengths[c];
        } else {
          int s = symbolStart[c];
          int len = symbolStart[c + 1] - s;
          for (int k = 0; k < len; k++) {
            out[at + k] = symbolBytes[s + k];
          }
          at += len;
        }
      }
      return at;
    }

    /** Decodes every value into Arrow-style offsets and data. */
    StringStreams.Strings all(int n) {
      int[] offsets = new int[n + 1];
      long total = 0;
      for (int i = 0; i < n; i++) {
        total += decodedLength(codeOffsets[i], codeOffsets[i + 1]);
        if (total > MAX_BYTES) {
          throw new MalformedEncodingException("strings decode to more than " + MAX_BYTES + " bytes");
        }
        offsets[i + 1] = (int) total;
      }
      byte[] data = new byte[(int) total];
      for (int i = 0; i < n; i++) {
        decodeInto(codeOffsets[i], codeOffsets[i + 1], data, offsets[i]);
      }
      return new StringStreams.Strings(offsets, data);
    }
  }

  /** Parses the FSST body (after the scheme byte) of n strings at cascade level {@code depth}. */
  public static Parsed parse(EncodedInput in, int n, int depth) {
    int numSymbols = in.u8("FSST symbol count");
    if (numSymbols > MAX_SYMBOLS) {
      throw new MalformedEncodingException("FSST table of " + numSymbols + " symbols (at most " + MAX_SYMBOLS + ")");
    }
    int[] symbolStart = new int[numSymbols + 1];
    for (int k = 0; k < numSymbols; k++) {
      int len = in.u8("FSST symbol length");
      if (len < 1 || len > MAX_SYMBOL_LENGTH) {
        throw new MalformedEncodingException("FSST symbol " + k + " of length " + len + " (allowed: 1 to 8)");
      }
      symbolStart[k + 1] = symbolStart[k] + len;
    }
    int at = in.skip(symbolStart[numSymbols], "FSST symbols");
    byte[] symbolBytes = new byte[symbolStart[numSymbols]];
    in.buffer().get(at, symbolBytes);
    IntDecoder lengths = IntStreams.parse(in, n, depth + 1);
    int[] codeOffsets = StringStreams.offsets(lengths, n, in.remaining(), "FSST code length");
    int total = codeOffsets[n];
    int codesAt = in.skip(total, "FSST codes");
    byte[] codes = new byte[total];
    in.buffer().get(codesAt, codes);
    return new Parsed(symbolBytes, symbolStart, codes, codeOffsets);
  }
}
