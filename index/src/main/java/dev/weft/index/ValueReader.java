package dev.weft.index;

import java.math.BigInteger;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Reads one value of a top-level Arrow vector in its {@link StatKind}'s value class (null for a
 * null slot). Fixed-width values are read straight from the data buffer.
 */
public abstract class ValueReader {
  private final StatKind kind;

  ValueReader(StatKind kind) {
    this.kind = kind;
  }

  public StatKind kind() {
    return kind;
  }

  /** Row {@code i} of {@code v}, or null. */
  public final Object get(FieldVector v, int i) {
    return v.isNull(i) ? null : read(v, i);
  }

  /** Row {@code i} of {@code v}, which is not null. */
  abstract Object read(FieldVector v, int i);

  /** The reader for a field, or null if its kind is {@link StatKind#NONE}. */
  public static ValueReader of(Field f) {
    StatKind kind = StatKind.of(f);
    ArrowType t = f.getType();
    return switch (kind) {
      case NONE -> null;
      case INT64, UINT64 -> {
        int width;
        boolean signed = true;
        if (t instanceof ArrowType.Int i) {
          width = i.getBitWidth() / 8;
          signed = i.getIsSigned();
        } else if (t instanceof ArrowType.Date d) {
          width = d.getUnit() == DateUnit.DAY ? 4 : 8;
        } else if (t instanceof ArrowType.Time tm) {
          width = tm.getBitWidth() / 8;
        } else {
          width = 8; // timestamp, duration
        }
        yield new IntReader(kind, width, signed);
      }
      case FLOAT64 -> new FloatReader(((ArrowType.FloatingPoint) t).getPrecision());
      case DECIMAL -> new DecimalReader(((ArrowType.Decimal) t).getBitWidth() / 8);
      case BYTES -> new BytesReader();
      case BOOL -> new ValueReader(StatKind.BOOL) {
        @Override
        Object read(FieldVector v, int i) {
          return ((BitVector) v).get(i) != 0;
        }
      };
    };
  }

  static final class IntReader extends ValueReader {
    private final int width;
    private final boolean signed;

    IntReader(StatKind kind, int width, boolean signed) {
      super(kind);
      this.width = width;
      this.signed = signed;
    }

    @Override
    Object read(FieldVector v, int i) {
      return readLong(v.getDataBuffer(), i);
    }

    int width() {
      return width;
    }

    /** Value {@code i} at {@code addr}, a data buffer whose range the caller checked. */
    long readLong(long addr, int i) {
      long at = addr + (long) i * width;
      return switch (width) {
        case 1 -> signed ? org.apache.arrow.memory.util.MemoryUtil.getByte(at)
            : org.apache.arrow.memory.util.MemoryUtil.getByte(at) & 0xFFL;
        case 2 -> signed ? org.apache.arrow.memory.util.MemoryUtil.getShort(at)
            : org.apache.arrow.memory.util.MemoryUtil.getShort(at) & 0xFFFFL;
        case 4 -> signed ? org.apache.arrow.memory.util.MemoryUtil.getInt(at)
            : org.apache.arrow.memory.util.MemoryUtil.getInt(at) & 0xFFFF_FFFFL;
        default -> org.apache.arrow.memory.util.MemoryUtil.getLong(at);
      };
    }

    long readLong(ArrowBuf b, int i) {
      long idx = (long) i * width;
      return switch (width) {
        case 1 -> signed ? b.getByte(idx) : b.getByte(idx) & 0xFFL;
        case 2 -> signed ? b.getShort(idx) : b.getShort(idx) & 0xFFFFL;
        case 4 -> signed ? b.getInt(idx) : b.getInt(idx) & 0xFFFF_FFFFL;
        default -> b.getLong(idx);
      };
    }
  }

  static final class FloatReader extends ValueReader {
    private final FloatingPointPrecision precision;

    FloatReader(FloatingPointPrecision precision) {
      super(StatKind.FLOAT64);
      this.precision = precision;
    }

    @Override
    Object read(FieldVector v, int i) {
      return readDouble(v, i);
    }

    double readDouble(FieldVector v, int i) {
      double d = switch (precision) {
        case HALF -> ((Float2Vector) v).getValueAsFloat(i);
        case SINGLE -> v.getDataBuffer().getFloat((long) i * 4);
        case DOUBLE -> v.getDataBuffer().getDouble((long) i * 8);
      };
      return StatKind.normalize(d);
    }
  }

  private static final class DecimalReader extends ValueReader {
    private final int width;

    DecimalReader(int width) {
      super(StatKind.DECIMAL);
      this.width = width;
    }

    @Override
    Object read(FieldVector v, int i) {
      byte[] be = new byte[width];
      ArrowBuf b = v.getDataBuffer();
      long base = (long) i * width;
      for (int k = 0; k < width; k++) {
        be[width - 1 - k] = b.getByte(base + k);
      }
      return new BigInteger(be);
    }
  }

  private static final class BytesReader extends ValueReader {
    BytesReader() {
      super(StatKind.BYTES);
    }

    @Override
    Object read(FieldVector v, int i) {
      if (v instanceof BaseVariableWidthVector bv) {
        return bv.get(i);
      }
      if (v instanceof BaseLargeVariableWidthVector lv) {
        return lv.get(i);
      }
      return ((FixedSizeBinaryVector) v).get(i);
    }
  }
}
