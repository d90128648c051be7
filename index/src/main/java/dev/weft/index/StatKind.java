package dev.weft.index;

import java.math.BigInteger;
import java.util.Arrays;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * How the values of a column are ordered, compared and stored in zone maps and bloom filters.
 * Each kind has one in-memory value class:
 *
 * <ul>
 *   <li>{@link #INT64}: {@link Long}, signed. Signed integers of every width, unsigned integers of
 *       8 to 32 bits, dates, times, timestamps and durations (their stored integer, in the
 *       field's unit).
 *   <li>{@link #UINT64}: {@link Long} holding an unsigned 64-bit integer, compared unsigned.
 *   <li>{@link #FLOAT64}: {@link Double}, float16/32 widened exactly. Ordered as {@link
 *       Double#compare} except that -0.0 equals 0.0 (both are stored as 0.0): NaN is one value,
 *       equal to itself and greater than +infinity.
 *   <li>{@link #DECIMAL}: {@link BigInteger}, the unscaled value (all values of a column share its
 *       scale).
 *   <li>{@link #BYTES}: {@code byte[]}, unsigned lexicographic (for UTF-8 this is code-point
 *       order). Utf8, Binary, their large forms and FixedSizeBinary.
 *   <li>{@link #BOOL}: {@link Boolean}, false &lt; true.
 *   <li>{@link #NONE}: not orderable (nested types, intervals, null): only null counts.
 * </ul>
 */
public enum StatKind {
  NONE(0),
  INT64(1),
  UINT64(2),
  FLOAT64(3),
  DECIMAL(4),
  BYTES(5),
  BOOL(6);

  private final int id;

  StatKind(int id) {
    this.id = id;
  }

  public int id() {
    return id;
  }

  public static StatKind byId(int id) {
    for (StatKind k : values()) {
      if (k.id == id) {
        return k;
      }
    }
    return null;
  }

  /** The kind of a top-level field's values. */
  public static StatKind of(Field f) {
    ArrowType t = f.getType();
    return switch (t.getTypeID()) {
      case Int -> {
        ArrowType.Int i = (ArrowType.Int) t;
        yield !i.getIsSigned() && i.getBitWidth() == 64 ? UINT64 : INT64;
      }
      case FloatingPoint -> FLOAT64;
      case Decimal -> DECIMAL;
      case Date, Time, Timestamp, Duration -> INT64;
      case Utf8, LargeUtf8, Binary, LargeBinary, FixedSizeBinary -> BYTES;
      case Bool -> BOOL;
      default -> NONE;
    };
  }

  /** Whether the field's strings are text (Utf8, LargeUtf8), shown and parsed as such. */
  public static boolean isText(Field f) {
    ArrowType.ArrowTypeID id = f.getType().getTypeID();
    return id == ArrowType.ArrowTypeID.Utf8 || id == ArrowType.ArrowTypeID.LargeUtf8;
  }

  /** Whether the field is a float type of the given precision (used for display). */
  static boolean isPrecision(Field f, FloatingPointPrecision p) {
    return f.getType() instanceof ArrowType.FloatingPoint fp && fp.getPrecision() == p;
  }

  /** Compares two non-null values of this kind. */
  public int compare(Object a, Object b) {
    return switch (this) {
      case INT64 -> Long.compare((Long) a, (Long) b);
      case UINT64 -> Long.compareUnsigned((Long) a, (Long) b);
      case FLOAT64 -> Double.compare(normalize((Double) a), normalize((Double) b));
      case DECIMAL -> ((BigInteger) a).compareTo((BigInteger) b);
      case BYTES -> Arrays.compareUnsigned((byte[]) a, (byte[]) b);
      case BOOL -> Boolean.compare((Boolean) a, (Boolean) b);
      case NONE -> throw new IllegalStateException("values of kind NONE are not ordered");
    };
  }

  /** -0.0 as 0.0, so that the two compare equal. */
  static double normalize(double d) {
    return d == 0.0 ? 0.0 : d;
  }

  /**
   * The bytes a value is hashed from for bloom filters: INT64/UINT64 and FLOAT64 (after -0.0 to
   * 0.0) as 8 bytes little-endian, DECIMAL as the unscaled value's minimal big-endian two's
   * complement ({@link BigInteger#toByteArray()}), BYTES as themselves, BOOL as one byte 0/1.
   */
  public byte[] hashBytes(Object v) {
    return switch (this) {
      case INT64, UINT64 -> le8((Long) v);
      case FLOAT64 -> le8(Double.doubleToLongBits(normalize((Double) v)));
      case DECIMAL -> ((BigInteger) v).toByteArray();
      case BYTES -> (byte[]) v;
      case BOOL -> new byte[] {(byte) (((Boolean) v) ? 1 : 0)};
      case NONE -> throw new IllegalStateException("values of kind NONE are not hashed");
    };
  }

  /** XXH64 of {@link #hashBytes}. */
  public long hash(Object v) {
    return XxHash64.hash(hashBytes(v));
  }

  static byte[] le8(long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (v >>> (8 * i));
    }
    return b;
  }

  static long readLe8(byte[] b) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xFFL);
    }
    return v;
  }

  /**
   * A bound as stored in a zone map: INT64, UINT64 and FLOAT64 as 8 bytes little-endian (FLOAT64
   * as IEEE 754 bits), DECIMAL as 32 bytes little-endian two's complement, BYTES as themselves,
   * BOOL as one byte.
   */
  byte[] encodeBound(Object v) {
    return switch (this) {
      case INT64, UINT64 -> le8((Long) v);
      case FLOAT64 -> le8(Double.doubleToLongBits((Double) v));
      case DECIMAL -> {
        byte[] be = ((BigInteger) v).toByteArray();
        byte[] out = new byte[32];
        byte fill = (byte) (((BigInteger) v).signum() < 0 ? 0xFF : 0);
        Arrays.fill(out, fill);
        for (int i = 0; i < be.length && i < 32; i++) {
          out[i] = be[be.length - 1 - i];
        }
        yield out;
      }
      case BYTES -> (byte[]) v;
      case BOOL -> new byte[] {(byte) (((Boolean) v) ? 1 : 0)};
      case NONE -> throw new IllegalStateException("kind NONE has no bounds");
    };
  }

  /** The stored length of a bound, or -1 for BYTES (any length). */
  int boundLength() {
    return switch (this) {
      case INT64, UINT64, FLOAT64 -> 8;
      case DECIMAL -> 32;
      case BOOL -> 1;
      default -> -1;
    };
  }

  Object decodeBound(byte[] b) {
    return switch (this) {
      case INT64, UINT64 -> readLe8(b);
      case FLOAT64 -> Double.longBitsToDouble(readLe8(b));
      case DECIMAL -> {
        byte[] be = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
          be[i] = b[b.length - 1 - i];
        }
        yield new BigInteger(be);
      }
      case BYTES -> b;
      case BOOL -> b[0] != 0;
      case NONE -> throw new IllegalStateException("kind NONE has no bounds");
    };
  }
}
