package dev.weft.testdata.gen;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A seeded wide feature table (default 10,000 columns), the shape of a recommendation model's
 * feature store: column {@code i} is named {@code w<i>}; by {@code i % 10}: 0-6 float32 features
 * (Gaussian, count-like or 90%-zero sparse), 7-8 int64 categorical ids (cardinality 10 to
 * 100,000), 9 an int8 flag. None nullable. Like {@code RecsysGenerator}, batch {@code b} is a
 * pure function of {@code (seed, columns, batchRows, b)}.
 */
public final class WideGenerator implements TableGenerator {
  public static final int DEFAULT_COLUMNS = 10_000;
  private final long rows;
  private final long seed;
  private final int batchRows;
  private final Schema schema;

  public WideGenerator(long rows, long seed, int columns, int batchRows) {
    if (rows < 0 || columns < 1 || batchRows < 1) {
      throw new IllegalArgumentException("need rows >= 0, columns >= 1, batch rows >= 1");
    }
    this.rows = rows;
    this.seed = seed;
    this.batchRows = batchRows;
    List<Field> fields = new ArrayList<>(columns);
    for (int i = 0; i < columns; i++) {
      ArrowType t = switch (i % 10) {
        case 7, 8 -> new ArrowType.Int(64, true);
        case 9 -> new ArrowType.Int(8, true);
        default -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      };
      fields.add(new Field("w" + i, FieldType.notNullable(t), null));
    }
    this.schema = new Schema(fields);
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public long rows() {
    return rows;
  }

  @Override
  public int batchRows() {
    return batchRows;
  }

  @Override
  public void fill(VectorSchemaRoot root, int batch) {
    int n = (int) Math.min(batchRows, rows - (long) batch * batchRows);
    root.clear();
    List<FieldVector> vs = root.getFieldVectors();
    for (int c = 0; c < vs.size(); c++) {
      SplittableRandom rnd = new SplittableRandom(Mix.mix64(seed ^ Mix.mix64(batch * 1_000_003L + c)));
      FieldVector v = vs.get(c);
      int kind = c % 10;
      if (v instanceof Float4Vector f) {
        f.allocateNew(n);
        for (int r = 0; r < n; r++) {
          float x = switch (kind % 3) {
            case 0 -> (float) rnd.nextGaussian();
            case 1 -> (float) Math.floor(Math.exp(rnd.nextGaussian() * 1.5));
            default -> rnd.nextInt(10) == 0 ? (float) rnd.nextDouble() : 0f;
          };
          f.set(r, x);
        }
      } else if (v instanceof BigIntVector b) {
        b.allocateNew(n);
        long card = (long) Math.pow(10, 1 + (c / 10) % 5);
        for (int r = 0; r < n; r++) {
          // skewed: the square of a uniform concentrates on small ids
          double u = rnd.nextDouble();
          b.set(r, (long) (u * u * card));
        }
      } else {
        TinyIntVector t = (TinyIntVector) v;
        t.allocateNew(n);
        for (int r = 0; r < n; r++) {
          t.set(r, rnd.nextInt(20) == 0 ? 1 : 0);
        }
      }
      v.setValueCount(n);
    }
    root.setRowCount(n);
  }

  @Override
  public VectorSchemaRoot newRoot(BufferAllocator allocator) {
    return VectorSchemaRoot.create(schema, allocator);
  }
}
