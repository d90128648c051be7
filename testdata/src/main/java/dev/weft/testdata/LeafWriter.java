package dev.weft.testdata;

import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.DurationVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.IntervalDayVector;
import org.apache.arrow.vector.IntervalMonthDayNanoVector;
import org.apache.arrow.vector.IntervalYearVector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;

/** Writes one random non-null value into a slot of a primitive (non-nested) vector. */
final class LeafWriter {
  private static final long SECOND = 1L;
  private static final long MILLI = 1_000L;
  private static final long MICRO = 1_000_000L;
  private static final long NANO = 1_000_000_000L;
  private static final long SECONDS_PER_DAY = 86_400L;

  private LeafWriter() {}

  /**
   * Sets slot {@code i} of {@code v} to a random value (growing the vector if needed).
   *
   * @throws UnsupportedOperationException for vector types without a generator
   */
  static void write(FieldVector v, int i, RandomValues r) {
    switch (v.getMinorType()) {
      case BIT -> ((BitVector) v).setSafe(i, r.bool() ? 1 : 0);
      case TINYINT -> ((TinyIntVector) v).setSafe(i, (byte) r.signed(8));
      case SMALLINT -> ((SmallIntVector) v).setSafe(i, (short) r.signed(16));
      case INT -> ((IntVector) v).setSafe(i, (int) r.signed(32));
      case BIGINT -> ((BigIntVector) v).setSafe(i, r.signed(64));
      case UINT1 -> ((UInt1Vector) v).setSafe(i, (byte) r.unsigned(8));
      case UINT2 -> ((UInt2Vector) v).setSafe(i, (char) r.unsigned(16));
      case UINT4 -> ((UInt4Vector) v).setSafe(i, (int) r.unsigned(32));
      case UINT8 -> ((UInt8Vector) v).setSafe(i, r.unsigned(64));
      case FLOAT2 -> ((Float2Vector) v).setSafe(i, r.float16Bits());
      case FLOAT4 -> ((Float4Vector) v).setSafe(i, r.float32());
      case FLOAT8 -> ((Float8Vector) v).setSafe(i, r.float64());
      case DECIMAL -> {
        DecimalVector d = (DecimalVector) v;
        d.setSafe(i, r.decimal(d.getPrecision(), d.getScale()));
      }
      case DECIMAL256 -> {
        Decimal256Vector d = (Decimal256Vector) v;
        d.setSafe(i, r.decimal(d.getPrecision(), d.getScale()));
      }
      case DATEDAY -> ((DateDayVector) v).setSafe(i, r.dateDays());
      case DATEMILLI -> ((DateMilliVector) v).setSafe(i, r.dateMillis());
      case TIMESEC -> ((TimeSecVector) v).setSafe(i, (int) r.timeOfDay(SECONDS_PER_DAY * SECOND));
      case TIMEMILLI -> ((TimeMilliVector) v).setSafe(i, (int) r.timeOfDay(SECONDS_PER_DAY * MILLI));
      case TIMEMICRO -> ((TimeMicroVector) v).setSafe(i, r.timeOfDay(SECONDS_PER_DAY * MICRO));
      case TIMENANO -> ((TimeNanoVector) v).setSafe(i, r.timeOfDay(SECONDS_PER_DAY * NANO));
      case TIMESTAMPSEC, TIMESTAMPSECTZ -> ((TimeStampVector) v).setSafe(i, r.timestamp(SECOND));
      case TIMESTAMPMILLI, TIMESTAMPMILLITZ -> ((TimeStampVector) v).setSafe(i, r.timestamp(MILLI));
      case TIMESTAMPMICRO, TIMESTAMPMICROTZ -> ((TimeStampVector) v).setSafe(i, r.timestamp(MICRO));
      case TIMESTAMPNANO, TIMESTAMPNANOTZ -> ((TimeStampVector) v).setSafe(i, r.timestamp(NANO));
      case DURATION -> ((DurationVector) v).setSafe(i, r.signed(64));
      case INTERVALYEAR -> ((IntervalYearVector) v).setSafe(i, (int) r.signed(32));
      case INTERVALDAY -> ((IntervalDayVector) v).setSafe(i, (int) r.signed(32), (int) r.signed(32));
      case INTERVALMONTHDAYNANO -> ((IntervalMonthDayNanoVector) v)
          .setSafe(i, (int) r.signed(32), (int) r.signed(32), r.signed(64));
      case VARCHAR -> ((VarCharVector) v).setSafe(i, r.utf8());
      case LARGEVARCHAR -> ((LargeVarCharVector) v).setSafe(i, r.utf8());
      case VARBINARY -> ((VarBinaryVector) v).setSafe(i, r.binary());
      case LARGEVARBINARY -> ((LargeVarBinaryVector) v).setSafe(i, r.binary());
      case FIXEDSIZEBINARY -> {
        FixedSizeBinaryVector f = (FixedSizeBinaryVector) v;
        f.setSafe(i, r.bytes(f.getByteWidth()));
      }
      default -> throw new UnsupportedOperationException(
          "RandomArrow cannot generate values for " + v.getMinorType() + " (field " + v.getField() + ")");
    }
  }
}
