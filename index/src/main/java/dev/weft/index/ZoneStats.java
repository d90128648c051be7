package dev.weft.index;

import dev.weft.format.CorruptFileException;
import dev.weft.format.MetaInput;
import dev.weft.format.MetaOutput;
import java.util.Arrays;

/**
 * The zone map of one range of rows of one column: how many rows, nulls and NaNs it holds, and
 * bounds of its other values. {@code min} (and {@code max}) is null when unknown or when the
 * range has no value other than null and NaN; otherwise every non-null, non-NaN value v of the
 * range satisfies {@code min <= v <= max} in the {@link StatKind}'s order. A bound is
 * <em>exact</em> when some value equals it; string bounds longer than {@link #MAX_BOUND_BYTES}
 * are stored truncated (min: a prefix; max: a prefix with its last byte below 0xFF incremented),
 * which keeps them bounds but not exact.
 *
 * <pre>
 * ZoneStats --&gt; NumRows u64, NullCount u64, NanCount u64, BoundFlags u8,
 *               [MinLength u32, Min byte[MinLength]]   (if BoundFlags bit 0)
 *               [MaxLength u32, Max byte[MaxLength]]   (if BoundFlags bit 1)
 * BoundFlags: bit 0 HAS_MIN, bit 1 HAS_MAX, bit 2 MIN_EXACT, bit 3 MAX_EXACT
 * </pre>
 */
public record ZoneStats(long numRows, long nullCount, long nanCount, Object min, Object max, boolean minExact,
    boolean maxExact) {
  /** String and binary bounds are cut to this many bytes. */
  public static final int MAX_BOUND_BYTES = 64;

  static final int HAS_MIN = 1;
  static final int HAS_MAX = 2;
  static final int MIN_EXACT = 4;
  static final int MAX_EXACT = 8;

  /** Rows that are neither null nor NaN. */
  public long plainValues() {
    return numRows - nullCount - nanCount;
  }

  /** Stats that know nothing but the row count (used where the zone map is missing). */
  public static ZoneStats unknown(long numRows) {
    return new ZoneStats(numRows, -1, -1, null, null, false, false);
  }

  /** Whether null and NaN counts are known. */
  public boolean countsKnown() {
    return nullCount >= 0;
  }

  /** Encodes with BYTES bounds truncated. */
  void encode(MetaOutput out, StatKind kind) {
    out.u64(numRows).u64(nullCount).u64(nanCount);
    Object lo = min;
    Object hi = max;
    boolean loExact = minExact;
    boolean hiExact = maxExact;
    if (kind == StatKind.BYTES) {
      if (lo != null && ((byte[]) lo).length > MAX_BOUND_BYTES) {
        lo = Arrays.copyOf((byte[]) lo, MAX_BOUND_BYTES);
        loExact = false;
      }
      if (hi != null && ((byte[]) hi).length > MAX_BOUND_BYTES) {
        hi = truncateUp((byte[]) hi);
        hiExact = false;
      }
    }
    int flags = (lo != null ? HAS_MIN : 0) | (hi != null ? HAS_MAX : 0) | (lo != null && loExact ? MIN_EXACT : 0)
        | (hi != null && hiExact ? MAX_EXACT : 0);
    out.u8(flags);
    if (lo != null) {
      byte[] b = kind.encodeBound(lo);
      out.u32(b.length).bytes(b);
    }
    if (hi != null) {
      byte[] b = kind.encodeBound(hi);
      out.u32(b.length).bytes(b);
    }
  }

  /** The shortest prefix-based upper bound of {@code v}, or null if there is none (all 0xFF). */
  static byte[] truncateUp(byte[] v) {
    for (int i = MAX_BOUND_BYTES - 1; i >= 0; i--) {
      if ((v[i] & 0xFF) != 0xFF) {
        byte[] out = Arrays.copyOf(v, i + 1);
        out[i]++;
        return out;
      }
    }
    return null;
  }

  static ZoneStats decode(MetaInput in, StatKind kind, long maxRows) throws CorruptFileException {
    long rows = in.u64In("zone row count", 0, maxRows);
    long nulls = in.u64In("zone null count", 0, rows);
    long nans = in.u64In("zone NaN count", 0, kind == StatKind.FLOAT64 ? rows - nulls : 0);
    int flags = in.u8("zone bound flags");
    if ((flags & ~0xF) != 0 || (kind == StatKind.NONE && flags != 0)) {
      throw in.corrupt("zone bound flags 0x" + Integer.toHexString(flags) + " invalid for " + kind);
    }
    Object lo = (flags & HAS_MIN) != 0 ? bound(in, kind, "min") : null;
    Object hi = (flags & HAS_MAX) != 0 ? bound(in, kind, "max") : null;
    if (lo != null && hi != null && kind.compare(lo, hi) > 0) {
      throw in.corrupt("zone min is greater than its max");
    }
    return new ZoneStats(rows, nulls, nans, lo, hi, (flags & MIN_EXACT) != 0, (flags & MAX_EXACT) != 0);
  }

  private static Object bound(MetaInput in, StatKind kind, String what) throws CorruptFileException {
    int want = kind.boundLength();
    int len = in.u32In("zone " + what + " length", want < 0 ? 0 : want, want < 0 ? in.remaining() : want);
    return kind.decodeBound(in.bytes(len, "zone " + what));
  }

  @Override
  public String toString() {
    return "ZoneStats{rows=" + numRows + ", nulls=" + nullCount + ", nans=" + nanCount + ", min=" + show(min)
        + (minExact ? "" : "~") + ", max=" + show(max) + (maxExact ? "" : "~") + "}";
  }

  private static String show(Object v) {
    return v instanceof byte[] b ? Arrays.toString(b) : String.valueOf(v);
  }
}
