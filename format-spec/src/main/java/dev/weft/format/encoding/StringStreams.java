package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Streams of byte strings (Utf8, Binary and their large variants).
 *
 * <pre>
 * StringStream(n) --&gt; Scheme u8, SchemeBody
 *   0 PLAIN      : Lengths IntStream(n), Data byte[sum of Lengths]
 *   1 DICTIONARY : NumEntries VarInt (1..n), EntryLengths IntStream(NumEntries),
 *                  EntryData byte[sum of EntryLengths], Codes IntStream(n)
 *   2 FSST       : (format 3.0) see {@link FsstStrings}: a table of up to 255 symbols and each
 *                  string's own code bytes
 * </pre>
 *
 * The integer streams are one cascade level below the string stream (lengths of equal-length
 * strings become CONSTANT, dictionary codes are bit-packed). Lengths must be &gt;= 0 and add up
 * to the data bytes that follow (checked); a code outside {@code [0, NumEntries)} is corruption.
 * Example: "ATL", "ORD", "ATL", "ATL" as DICTIONARY is 2 entries, entry lengths CONSTANT 3,
 * entry data {@code ATLORD}, codes 0 1 0 0 (FOR, 1 bit).
 *
 * <p>Limits: the strings of one block decode to at most 2^31 - 65 bytes. Reading: when the
 * block is parsed the strings are laid out as Arrow offsets and data (O(block)), so a take of
 * one string costs one block's decode. Selection: the smallest of PLAIN, DICTIONARY (when a block
 * has at most n/2 distinct strings) and FSST (not with byte-aligned hints: those are the writer's
 * candidate for a zstd pass, where FSST rarely pays; nor where DICTIONARY is at most half of PLAIN;
 * see {@link FsstStrings}).
 */
public final class StringStreams {
  public static final int PLAIN = 0;
  public static final int DICTIONARY = 1;
  /** FSST compression, one symbol table per block (format 3.0, {@link FsstStrings}). */
  public static final int FSST = 2;
  private static final long MAX_BYTES = Integer.MAX_VALUE - 64;

  private StringStreams() {}

  public static String name(int id) {
    return switch (id) {
      case PLAIN -> "PLAIN";
      case DICTIONARY -> "DICTIONARY";
      case FSST -> "FSST";
      case SharedDictionary.STRING_ID -> "SHARED_DICTIONARY";
      default -> "UNKNOWN(" + id + ")";
    };
  }

  /**
   * Value ids of the strings of the block a thread is encoding (rows with equal ids hold equal
   * strings, -1: no id; see the writer's ValueIds): a block's DICTIONARY stream then hashes each
   * id's string once instead of every row's. The stream is the same. Kept per scope of ids; set
   * with {@link #useValueIds} around one block's encodings, on the encoding thread.
   */
  public static final class ValueIds {
    private int[] ids;
    private int n;
    private Object scope;
    private int[] stamp = new int[0];
    private int[] code = new int[0];
    private int current;

    /** Ids {@code ids[0, n)} of the next block's strings, in {@code scope} of {@code scopeSize} ids. */
    public void use(Object scope, int scopeSize, int[] ids, int n) {
      if (scope != this.scope || stamp.length < scopeSize) {
        this.scope = scope;
        this.stamp = new int[scopeSize];
        this.code = new int[scopeSize];
        this.current = 0;
      }
      this.ids = ids;
      this.n = n;
    }

    /** Starts a new dictionary: no id has a code in it yet. */
    private int next() {
      if (++current == 0) {
        Arrays.fill(stamp, 0);
        current = 1;
      }
      return current;
    }
  }

  private static final ThreadLocal<ValueIds> VALUE_IDS = new ThreadLocal<>();

  /** Sets (or, with null, clears) the value ids of the block this thread encodes next. */
  public static void useValueIds(ValueIds ids) {
    if (ids == null) {
      VALUE_IDS.remove();
    } else {
      VALUE_IDS.set(ids);
    }
  }

  /** Decoded strings: Arrow-style offsets (n+1, from 0) and the concatenated bytes. */
  public record Strings(int[] offsets, byte[] data) {}

  /**
   * Encodes n strings given as Arrow-style u32 offsets at {@code offsetsPos} (n+1 of them) and
   * bytes at {@code dataPos} of {@code b}.
   */
  public static void encode(ByteBuffer b, int offsetsPos, int dataPos, int n, int depth, IntStreams.Hints h,
      MetaOutput out) {
    encode(b, offsetsPos, dataPos, n, depth, h, out, -1);
  }

  /**
   * As above, but with {@code preferred} ({@link #PLAIN}, {@link #DICTIONARY} or {@link #FSST}, the
   * writer's choice for an earlier block) only that scheme is tried (DICTIONARY falls back to PLAIN
   * when more than n/2 strings are distinct); {@code preferred < 0} tries all that apply.
   */
  public static void encode(ByteBuffer b, int offsetsPos, int dataPos, int n, int depth, IntStreams.Hints h,
      MetaOutput out, int preferred) {
    int[] offsets = new int[n + 1];
    b.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(offsetsPos).asIntBuffer().get(offsets);
    long[] lengths = new long[n];
    for (int i = 0; i < n; i++) {
      lengths[i] = (offsets[i + 1] & 0xFFFF_FFFFL) - (offsets[i] & 0xFFFF_FFFFL);
    }
    int start = dataPos + (int) (b.getInt(offsetsPos) & 0xFFFF_FFFFL);
    int total = (int) ((b.getInt(offsetsPos + 4 * n) & 0xFFFF_FFFFL) - (b.getInt(offsetsPos) & 0xFFFF_FFFFL));
    byte[] data = new byte[total];
    b.get(start, data);
    ValueIds ids = VALUE_IDS.get();
    if (ids != null && (ids.n != n || ids.ids == null)) {
      ids = null;
    }
    if (preferred == DICTIONARY) {
      MetaOutput dict = dictionary(data, lengths, n, depth, h, ids);
      out.bytes(dict != null ? dict : plain(data, lengths, n, depth, h));
      return;
    }
    MetaOutput f = preferred == FSST && data.length <= FsstStrings.MAX_INPUT ? fsst(data, lengths, n, depth, h, false)
        : null;
    if (f != null) {
      out.bytes(f);
      return;
    }
    MetaOutput plain = plain(data, lengths, n, depth, h);
    if (preferred == PLAIN || preferred == FSST) {
      out.bytes(plain);
      return;
    }
    MetaOutput best = plain;
    MetaOutput dict = dictionary(data, lengths, n, depth, h, ids);
    if (dict != null && dict.size() < best.size()) {
      best = dict;
    }
    // FSST is tried unless a dictionary already halves the block (few distinct values: FSST's table
    // would cost as much as the dictionary and its training time is wasted)
    boolean dictHalves = dict != null && 2L * dict.size() <= plain.size();
    if (!h.alignWidths() && !dictHalves && data.length <= FsstStrings.MAX_INPUT && data.length >= 64) {
      f = fsst(data, lengths, n, depth, h, false);
      if (f != null && f.size() < best.size()) {
        best = f;
      }
    }
    out.bytes(best);
  }

  /**
   * The FSST stream of the concatenated strings (at most {@link FsstStrings#MAX_INPUT} bytes), or
   * null where training finds that FSST does not compress them (unless {@code force}).
   */
  static MetaOutput fsst(byte[] data, long[] lengths, int n, int depth, IntStreams.Hints h, boolean force) {
    MetaOutput o = new MetaOutput(64);
    o.u8(FSST);
    return FsstStrings.encode(data, lengths, n, depth, h, o, force) ? o : null;
  }

  /** The PLAIN stream of the concatenated strings {@code data} with the given lengths. */
  static MetaOutput plain(byte[] data, long[] lengths, int n, int depth, IntStreams.Hints h) {
    MetaOutput plain = new MetaOutput(64);
    plain.u8(PLAIN);
    IntStreams.encode(lengths, n, depth + 1, h.child(), plain);
    plain.bytes(data);
    return plain;
  }

  /** The DICTIONARY stream, or null if more than n/2 strings are distinct. */
  static MetaOutput dictionary(byte[] data, long[] lengths, int n, int depth, IntStreams.Hints h) {
    return dictionary(data, lengths, n, depth, h, null);
  }

  /**
   * As above; with {@code valueIds} (not null), a row whose id an earlier row of the block had
   * takes that row's code without hashing its string (equal ids, equal strings: the same code).
   */
  static MetaOutput dictionary(byte[] data, long[] lengths, int n, int depth, IntStreams.Hints h, ValueIds valueIds) {
    int limit = n / 2;
    if (limit == 0) {
      return null;
    }
    // open addressing over (start, length) of each entry's first occurrence in data
    int cap = Integer.highestOneBit(Math.max(4, limit) * 2 - 1) << 1;
    int mask = cap - 1;
    int[] slots = new int[cap]; // entry id + 1, 0 = empty
    int[] entryStart = new int[Math.min(limit, 1024)];
    int[] entryLen = new int[entryStart.length];
    long[] codes = new long[n];
    int m = 0;
    int pos = 0;
    int[] vids = valueIds == null ? null : valueIds.ids;
    int[] seenAt = valueIds == null ? null : valueIds.stamp;
    int[] seenCode = valueIds == null ? null : valueIds.code;
    int now = valueIds == null ? 0 : valueIds.next();
    for (int i = 0; i < n; i++) {
      int len = (int) lengths[i];
      int vid = vids == null ? -1 : vids[i];
      if (vid >= 0 && seenAt[vid] == now) {
        codes[i] = seenCode[vid];
        pos += len;
        continue;
      }
      int hash = len <= 8 ? shortHash(data, pos, len) : hash(data, pos, len);
      int slot = hash & mask;
      int id;
      while (true) {
        int e = slots[slot];
        if (e == 0) {
          if (m >= limit) {
            return null;
          }
          if (m == entryStart.length) {
            entryStart = Arrays.copyOf(entryStart, Math.min(limit, m * 2));
            entryLen = Arrays.copyOf(entryLen, entryStart.length);
          }
          entryStart[m] = pos;
          entryLen[m] = len;
          id = m++;
          slots[slot] = id + 1;
          break;
        }
        int k = e - 1;
        if (entryLen[k] == len && same(data, entryStart[k], pos, len)) {
          id = k;
          break;
        }
        slot = (slot + 1) & mask;
      }
      codes[i] = id;
      pos += len;
      if (vid >= 0) {
        seenAt[vid] = now;
        seenCode[vid] = id;
      }
    }
    long[] entryLengths = new long[m];
    for (int k = 0; k < m; k++) {
      entryLengths[k] = entryLen[k];
    }
    MetaOutput o = new MetaOutput(64);
    o.u8(DICTIONARY);
    Varints.write(o, m);
    IntStreams.encode(entryLengths, m, depth + 1, h.child(), o);
    for (int k = 0; k < m; k++) {
      o.bytes(data, entryStart[k], entryLen[k]);
    }
    IntStreams.encode(codes, n, depth + 1, h.child(), o);
    return o;
  }

  private static boolean same(byte[] data, int a, int b, int len) {
    if (len > 16) {
      return Arrays.equals(data, a, a + len, data, b, b + len);
    }
    for (int j = 0; j < len; j++) {
      if (data[a + j] != data[b + j]) {
        return false;
      }
    }
    return true;
  }

  /** Hash of a string of at most 8 bytes: its bytes as one long, mixed. */
  private static int shortHash(byte[] data, int from, int len) {
    long k = len;
    for (int j = 0; j < len; j++) {
      k = k << 8 | (data[from + j] & 0xFF);
    }
    k *= 0x9E3779B97F4A7C15L;
    return (int) (k >>> 32) ^ (int) k;
  }

  private static int hash(byte[] data, int from, int len) {
    int h = len;
    int i = from;
    int end = from + len;
    for (; i + 4 <= end; i += 4) {
      h = h * 0x9E3779B1 + ((data[i] & 0xFF) | (data[i + 1] & 0xFF) << 8 | (data[i + 2] & 0xFF) << 16
          | data[i + 3] << 24);
    }
    for (; i < end; i++) {
      h = h * 31 + data[i];
    }
    h *= 0x9E3779B1;
    return h ^ (h >>> 15);
  }

  /** Parses a stream of {@code n} strings at cascade level {@code depth}. */
  public static Strings decode(EncodedInput in, int n, int depth) {
    if (depth >= IntStreams.MAX_DEPTH) {
      throw new MalformedEncodingException("string stream at cascade level " + depth);
    }
    int id = in.u8("string scheme");
    switch (id) {
      case PLAIN -> {
        IntDecoder lengths = IntStreams.parse(in, n, depth + 1);
        int[] offsets = offsets(lengths, n, in.remaining(), "string length");
        int at = in.skip(offsets[n], "string data");
        byte[] data = new byte[offsets[n]];
        in.buffer().get(at, data);
        return new Strings(offsets, data);
      }
      case DICTIONARY -> {
        int m = Varints.readCount(in, "string dictionary size", n);
        if (m == 0 && n > 0) {
          throw new MalformedEncodingException("empty string dictionary for " + n + " values");
        }
        IntDecoder entryLengths = IntStreams.parse(in, m, depth + 1);
        int[] entryOffsets = offsets(entryLengths, m, in.remaining(), "string length");
        int at = in.skip(entryOffsets[m], "dictionary data");
        IntDecoder codes = IntStreams.parse(in, n, depth + 1);
        byte[] entries = new byte[entryOffsets[m]];
        in.buffer().get(at, entries);
        return gather(codes.decodeAll(), n, entryOffsets, entries);
      }
      case FSST -> {
        return FsstStrings.parse(in, n, depth).all(n);
      }
      default -> throw new MalformedEncodingException("unknown string scheme " + id);
    }
  }

  /**
   * The strings {@code entries[c[i]]} for {@code i < n}, where entry k is
   * {@code entries[entryOffsets[k], entryOffsets[k+1])}; codes are range-checked (also used for
   * shared dictionaries, {@link SharedDictionary}).
   */
  static Strings gather(long[] c, int n, int[] entryOffsets, byte[] entries) {
    int m = entryOffsets.length - 1;
    int[] offsets = new int[n + 1];
    long total = 0;
    for (int i = 0; i < n; i++) {
      if (c[i] < 0 || c[i] >= m) {
        throw new MalformedEncodingException("string dictionary code " + c[i] + " outside [0, " + m + ")");
      }
      int k = (int) c[i];
      total += entryOffsets[k + 1] - entryOffsets[k];
      if (total > MAX_BYTES) {
        throw new MalformedEncodingException("strings decode to more than " + MAX_BYTES + " bytes");
      }
      offsets[i + 1] = (int) total;
    }
    byte[] data = new byte[(int) total];
    for (int i = 0; i < n; i++) {
      int k = (int) c[i];
      int from = entryOffsets[k];
      int len = entryOffsets[k + 1] - from;
      int to = offsets[i];
      if (len <= 16) {
        for (int j = 0; j < len; j++) {
          data[to + j] = entries[from + j];
        }
      } else {
        System.arraycopy(entries, from, data, to, len);
      }
    }
    return new Strings(offsets, data);
  }

  /**
   * Offsets from lengths, each &gt;= 0, their sum at most {@code available} bytes; {@code what}
   * names a length in the error (also used by {@link FsstStrings} for its code lengths).
   */
  static int[] offsets(IntDecoder lengths, int n, long available, String what) {
    int[] offsets = new int[n + 1];
    long total = 0;
    long[] chunk = new long[Math.min(n, 1024)];
    for (int from = 0; from < n; from += chunk.length) {
      int k = Math.min(chunk.length, n - from);
      lengths.decode(from, k, chunk, 0);
      for (int j = 0; j < k; j++) {
        long len = chunk[j];
        if (len < 0 || len > available - total) {
          throw new MalformedEncodingException(what + " " + len + " at " + (from + j)
              + " runs past the " + available + " bytes left");
        }
        total += len;
        offsets[from + j + 1] = (int) total;
      }
    }
    return offsets;
  }
}
