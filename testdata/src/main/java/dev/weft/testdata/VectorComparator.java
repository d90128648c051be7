package dev.weft.testdata;

import java.util.List;
import java.util.Objects;
import org.apache.arrow.memory.util.ByteFunctionHelpers;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.NonNullableStructVector;

/**
 * Compares single slots of two vectors of the same type, recursing into nested types.
 *
 * <p>Semantics: two null slots are equal whatever their buffers hold (including the children of a
 * null struct or fixed-size list); floating-point values are compared by bit pattern, except that
 * every NaN equals every other NaN (so {@code -0.0 != 0.0}); everything else is compared by its
 * value bytes.
 */
final class VectorComparator {
  private static final long LARGE_OFFSET_WIDTH = 8L;

  /** The first difference found below a slot. */
  record Mismatch(String path, String reason, String expected, String actual) {
    String describe() {
      return reason + " at " + path + ": expected <" + expected + "> but was <" + actual + ">";
    }
  }

  private VectorComparator() {}

  /** Returns {@code null} if {@code e[ei]} equals {@code a[ai]}, else the first difference. */
  static Mismatch compare(ValueVector e, int ei, ValueVector a, int ai, String path) {
    if (e.getMinorType() != a.getMinorType()) {
      return mismatch("vector types differ (" + e.getMinorType() + " vs " + a.getMinorType() + ")",
          path, e, ei, a, ai);
    }
    if (ei >= e.getValueCount() || ai >= a.getValueCount()) {
      return mismatch("index beyond value count (expected vector has " + e.getValueCount()
          + " values, actual has " + a.getValueCount() + ")", path, e, ei, a, ai);
    }
    boolean en = e.isNull(ei);
    boolean an = a.isNull(ai);
    if (en || an) {
      return en == an ? null : mismatch("null mismatch", path, e, ei, a, ai);
    }
    switch (e.getMinorType()) {
      case NULL:
        return null;
      case STRUCT:
        return compareStruct((NonNullableStructVector) e, ei, (NonNullableStructVector) a, ai, path);
      case LIST:
      case MAP:
        ListVector el = (ListVector) e;
        ListVector al = (ListVector) a;
        return compareElements(el.getDataVector(), el.getElementStartIndex(ei), el.getElementEndIndex(ei),
            al.getDataVector(), al.getElementStartIndex(ai), al.getElementEndIndex(ai), path, e, ei, a, ai);
      case LARGELIST:
        LargeListVector ell = (LargeListVector) e;
        LargeListVector all = (LargeListVector) a;
        return compareElements(ell.getDataVector(), largeOffset(ell, ei), largeOffset(ell, ei + 1),
            all.getDataVector(), largeOffset(all, ai), largeOffset(all, ai + 1), path, e, ei, a, ai);
      case FIXED_SIZE_LIST:
        FixedSizeListVector ef = (FixedSizeListVector) e;
        FixedSizeListVector af = (FixedSizeListVector) a;
        long es = (long) ei * ef.getListSize();
        long as = (long) ai * af.getListSize();
        return compareElements(ef.getDataVector(), es, es + ef.getListSize(),
            af.getDataVector(), as, as + af.getListSize(), path, e, ei, a, ai);
      case FLOAT2:
        return floatBitsEqual(halfBits(e, ei), halfBits(a, ai), 0x7C00L, 0x03FFL)
            ? null : mismatch("value mismatch", path, e, ei, a, ai);
      case FLOAT4:
        return floatBitsEqual(fixedBits(e, ei, 4), fixedBits(a, ai, 4), 0x7F80_0000L, 0x007F_FFFFL)
            ? null : mismatch("value mismatch", path, e, ei, a, ai);
      case FLOAT8:
        return floatBitsEqual(fixedBits(e, ei, 8), fixedBits(a, ai, 8),
            0x7FF0_0000_0000_0000L, 0x000F_FFFF_FFFF_FFFFL)
            ? null : mismatch("value mismatch", path, e, ei, a, ai);
      default:
        return leafEquals(e, ei, a, ai) ? null : mismatch("value mismatch", path, e, ei, a, ai);
    }
  }

  private static Mismatch compareStruct(
      NonNullableStructVector e, int ei, NonNullableStructVector a, int ai, String path) {
    List<FieldVector> ec = e.getChildrenFromFields();
    List<FieldVector> ac = a.getChildrenFromFields();
    if (ec.size() != ac.size()) {
      return mismatch("struct child count differs (" + ec.size() + " vs " + ac.size() + ")",
          path, e, ei, a, ai);
    }
    for (int k = 0; k < ec.size(); k++) {
      Mismatch m = compare(ec.get(k), ei, ac.get(k), ai, path + "." + ec.get(k).getName());
      if (m != null) {
        return m;
      }
    }
    return null;
  }

  private static Mismatch compareElements(
      ValueVector ed, long eStart, long eEnd, ValueVector ad, long aStart, long aEnd,
      String path, ValueVector e, int ei, ValueVector a, int ai) {
    long eLen = eEnd - eStart;
    long aLen = aEnd - aStart;
    if (eLen != aLen) {
      return mismatch("length mismatch (expected " + eLen + " elements, actual " + aLen + ")",
          path, e, ei, a, ai);
    }
    if (eStart < 0 || eEnd > ed.getValueCount() || aStart < 0 || aEnd > ad.getValueCount()) {
      return mismatch("element range outside child vector (expected [" + eStart + "," + eEnd
          + ") of " + ed.getValueCount() + ", actual [" + aStart + "," + aEnd + ") of "
          + ad.getValueCount() + ")", path, e, ei, a, ai);
    }
    for (long k = 0; k < eLen; k++) {
      Mismatch m = compare(ed, Math.toIntExact(eStart + k), ad, Math.toIntExact(aStart + k),
          path + "[" + k + "]");
      if (m != null) {
        return m;
      }
    }
    return null;
  }

  private static long largeOffset(LargeListVector v, int index) {
    return v.getOffsetBuffer().getLong(index * LARGE_OFFSET_WIDTH);
  }

  private static long halfBits(ValueVector v, int i) {
    return ((BaseFixedWidthVector) v).getDataBuffer().getShort(i * 2L) & 0xFFFFL;
  }

  private static long fixedBits(ValueVector v, int i, int width) {
    BaseFixedWidthVector f = (BaseFixedWidthVector) v;
    return width == 4 ? f.getDataBuffer().getInt(i * 4L) & 0xFFFF_FFFFL : f.getDataBuffer().getLong(i * 8L);
  }

  /** Bitwise equality, except that all NaNs (exponent all ones, mantissa non-zero) are equal. */
  private static boolean floatBitsEqual(long x, long y, long exponentMask, long mantissaMask) {
    return x == y || (isNaN(x, exponentMask, mantissaMask) && isNaN(y, exponentMask, mantissaMask));
  }

  private static boolean isNaN(long bits, long exponentMask, long mantissaMask) {
    return (bits & exponentMask) == exponentMask && (bits & mantissaMask) != 0;
  }

  private static boolean leafEquals(ValueVector e, int ei, ValueVector a, int ai) {
    if (e instanceof BitVector) {
      return ((BitVector) e).get(ei) == ((BitVector) a).get(ai);
    }
    if (e instanceof BaseFixedWidthVector && ((BaseFixedWidthVector) e).getTypeWidth() > 0) {
      BaseFixedWidthVector ef = (BaseFixedWidthVector) e;
      BaseFixedWidthVector af = (BaseFixedWidthVector) a;
      long w = ef.getTypeWidth();
      if (w != af.getTypeWidth()) {
        return false;
      }
      return ByteFunctionHelpers.equal(ef.getDataBuffer(), ei * w, (ei + 1) * w,
          af.getDataBuffer(), ai * w, (ai + 1) * w) != 0;
    }
    if (e instanceof BaseVariableWidthVector) {
      BaseVariableWidthVector ev = (BaseVariableWidthVector) e;
      BaseVariableWidthVector av = (BaseVariableWidthVector) a;
      long w = BaseVariableWidthVector.OFFSET_WIDTH;
      return ByteFunctionHelpers.equal(
          ev.getDataBuffer(), ev.getOffsetBuffer().getInt(ei * w), ev.getOffsetBuffer().getInt((ei + 1) * w),
          av.getDataBuffer(), av.getOffsetBuffer().getInt(ai * w), av.getOffsetBuffer().getInt((ai + 1) * w)) != 0;
    }
    if (e instanceof BaseLargeVariableWidthVector) {
      BaseLargeVariableWidthVector ev = (BaseLargeVariableWidthVector) e;
      BaseLargeVariableWidthVector av = (BaseLargeVariableWidthVector) a;
      long w = BaseLargeVariableWidthVector.OFFSET_WIDTH;
      return ByteFunctionHelpers.equal(
          ev.getDataBuffer(), ev.getOffsetBuffer().getLong(ei * w), ev.getOffsetBuffer().getLong((ei + 1) * w),
          av.getDataBuffer(), av.getOffsetBuffer().getLong(ai * w), av.getOffsetBuffer().getLong((ai + 1) * w)) != 0;
    }
    return Objects.deepEquals(e.getObject(ei), a.getObject(ai));
  }

  private static Mismatch mismatch(String reason, String path, ValueVector e, int ei, ValueVector a, int ai) {
    return new Mismatch(path, reason, ValueFormatter.format(e, ei), ValueFormatter.format(a, ai));
  }
}
