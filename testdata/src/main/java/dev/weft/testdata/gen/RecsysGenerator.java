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
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A seeded synthetic recommendation-system table, generated in fixed-size batches: the table of
 * the demo ({@code weft-demo}), the loader benchmarks and the benchmark suite ({@code weft-bench
 * gen recsys}, through {@link RecsysTable}).
 *
 * <p>Columns, none of them nullable:
 * <ul>
 *   <li>{@code f0..f31} float32 dense features: {@code f0..f7} Gaussian, {@code f8..f15}
 *       log-normal counts (whole numbers), {@code f16..f23} ratios in [0, 1] rounded to 1/1000,
 *       {@code f24..f31} sparse (80% exactly zero, else exponential);
 *   <li>{@code c0..c15} int64 categorical ids with Zipf-like skew (exponent 0.6 to 1.3) over
 *       cardinalities from 20 to 10,000,000: {@code c0..c7} are dense indexes in
 *       {@code [0, cardinality)}, {@code c8..c15} hashed 63-bit ids;
 *   <li>{@code history} list&lt;int64&gt; of 0 to 50 item ids (uniform length, Zipf item
 *       popularity over 1,000,000 items);
 *   <li>{@code embedding} fixed_size_list&lt;float32&gt;[64], Gaussian with standard deviation 0.1;
 *   <li>{@code label} int8 0/1, about 5% positive, correlated with {@code f0}.
 * </ul>
 *
 * <p>Batch {@code b} covers rows {@code [b * batchRows, min(rows, (b + 1) * batchRows))} and
 * is a pure function of {@code (seed, batchRows, b)}: any batch can be regenerated on its own,
 * in any order, so callers never need to hold the whole table (e.g. to check rows read back from
 * a file, regenerate the batch that holds them). Instances are immutable and thread-safe.
 */
public final class RecsysGenerator {
  public static final int DENSE_FEATURES = 32;
  public static final int CATEGORICAL_FEATURES = 16;
  public static final int MAX_HISTORY = 50;
  public static final int EMBEDDING_DIM = 64;
  public static final int DEFAULT_BATCH_ROWS = 8192;
  public static final long ITEMS = 1_000_000;

  /** Cardinality and Zipf exponent of each categorical column. */
  private static final long[] CARDINALITY = {
    5_000_000, 1_000_000, 200, 100, 50, 20, 168, 5_000,
    50_000, 200_000, 20_000, 100_000, 10_000_000, 40_000, 500_000, 30_000};
  private static final double[] EXPONENT = {
    1.05, 1.1, 1.2, 1.3, 0.9, 0.8, 0.6, 1.1,
    1.05, 1.1, 1.0, 1.15, 1.01, 0.95, 1.2, 1.1};
  /** A prime larger than every cardinality: rank -> (rank * PRIME) mod n permutes [0, n). */
  private static final long PRIME = 1_000_000_007L;

  private static final Schema SCHEMA = buildSchema();

  private final long rows;
  private final long seed;
  private final int batchRows;
  private final Zipf[] categorical = new Zipf[CATEGORICAL_FEATURES];
  private final Zipf items = new Zipf(ITEMS, 1.1);

  /** A generator of {@code rows} rows in batches of {@value #DEFAULT_BATCH_ROWS}. */
  public RecsysGenerator(long rows, long seed) {
    this(rows, seed, DEFAULT_BATCH_ROWS);
  }

  public RecsysGenerator(long rows, long seed, int batchRows) {
    if (rows < 0) {
      throw new IllegalArgumentException("rows must not be negative, got " + rows);
    }
    if (batchRows < 1) {
      throw new IllegalArgumentException("batch rows must be positive, got " + batchRows);
    }
    if ((rows + batchRows - 1) / batchRows > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(rows + " rows need too many batches of " + batchRows);
    }
    this.rows = rows;
    this.seed = seed;
    this.batchRows = batchRows;
    for (int c = 0; c < CATEGORICAL_FEATURES; c++) {
      categorical[c] = new Zipf(CARDINALITY[c], EXPONENT[c]);
    }
  }

  /** The table's schema (the same for every generator). */
  public static Schema schema() {
    return SCHEMA;
  }

  private static Schema buildSchema() {
    List<Field> fields = new ArrayList<>();
    FieldType f32 = FieldType.notNullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
    FieldType i64 = FieldType.notNullable(new ArrowType.Int(64, true));
    for (int i = 0; i < DENSE_FEATURES; i++) {
      fields.add(new Field("f" + i, f32, null));
    }
    for (int i = 0; i < CATEGORICAL_FEATURES; i++) {
      fields.add(new Field("c" + i, i64, null));
    }
    fields.add(new Field("history", FieldType.notNullable(ArrowType.List.INSTANCE),
        List.of(new Field("item", i64, null))));
    fields.add(new Field("embedding", FieldType.notNullable(new ArrowType.FixedSizeList(EMBEDDING_DIM)),
        List.of(new Field("item", f32, null))));
    fields.add(new Field("label", FieldType.notNullable(new ArrowType.Int(8, true)), null));
    return new Schema(fields);
  }

  public long rows() {
    return rows;
  }

  public long seed() {
    return seed;
  }

  public int batchRows() {
    return batchRows;
  }

  public int numBatches() {
    return (int) ((rows + batchRows - 1) / batchRows);
  }

  /** The first row of batch {@code batch}. */
  public long batchStart(int batch) {
    checkBatch(batch);
    return (long) batch * batchRows;
  }

  /** The number of rows of batch {@code batch}. */
  public int batchLength(int batch) {
    checkBatch(batch);
    return (int) Math.min(batchRows, rows - (long) batch * batchRows);
  }

  /** The batch that holds row {@code row}. */
  public int batchOf(long row) {
    if (row < 0 || row >= rows) {
      throw new IllegalArgumentException("row " + row + " is outside [0, " + rows + ")");
    }
    return (int) (row / batchRows);
  }

  private void checkBatch(int batch) {
    if (batch < 0 || batch >= numBatches()) {
      throw new IllegalArgumentException("batch " + batch + " is outside [0, " + numBatches() + ")");
    }
  }

  /** An empty root of {@link #schema()}, to be filled with {@link #fill} (caller closes it). */
  public VectorSchemaRoot newRoot(BufferAllocator allocator) {
    return VectorSchemaRoot.create(SCHEMA, allocator);
  }

  /** Batch {@code batch} in a new root owned by the caller. */
  public VectorSchemaRoot batch(int batch, BufferAllocator allocator) {
    VectorSchemaRoot root = newRoot(allocator);
    try {
      fill(root, batch);
      return root;
    } catch (RuntimeException | Error e) {
      root.close();
      throw e;
    }
  }

  /**
   * Replaces the contents of {@code root} (made by {@link #newRoot}) with batch {@code batch}.
   * Reusing one root for all batches keeps memory at one batch, e.g. for an Arrow IPC writer
   * bound to that root.
   */
  public void fill(VectorSchemaRoot root, int batch) {
    int n = batchLength(batch);
    SplittableRandom rnd = new SplittableRandom(Mix.mix64(seed ^ Mix.mix64(batch + 0x9E3779B97F4A7C15L)));
    root.clear();
    List<FieldVector> vectors = root.getFieldVectors();
    int col = 0;

    Float4Vector f0 = null;
    for (int i = 0; i < DENSE_FEATURES; i++) {
      Float4Vector v = (Float4Vector) vectors.get(col++);
      v.allocateNew(n);
      fillDense(v, i, n, rnd);
      if (i == 0) {
        f0 = v;
      }
    }
    for (int i = 0; i < CATEGORICAL_FEATURES; i++) {
      BigIntVector v = (BigIntVector) vectors.get(col++);
      v.allocateNew(n);
      Zipf z = categorical[i];
      boolean hashed = i >= CATEGORICAL_FEATURES / 2;
      long salt = Mix.mix64(i * 0x632BE59BD9B4E019L + 17);
      for (int r = 0; r < n; r++) {
        long rank = z.sample(rnd); // 1-based, 1 is the most frequent
        long id = hashed ? Mix.mix64(rank ^ salt) >>> 1 : Math.floorMod((rank - 1) * PRIME, z.n);
        v.set(r, id);
      }
      v.setValueCount(n);
    }

    ListVector history = (ListVector) vectors.get(col++);
    history.setInitialCapacity(n, MAX_HISTORY / 2.0);
    history.allocateNew();
    BigIntVector historyItems = (BigIntVector) history.getDataVector();
    for (int r = 0; r < n; r++) {
      int len = rnd.nextInt(MAX_HISTORY + 1);
      int start = history.startNewValue(r);
      for (int k = 0; k < len; k++) {
        historyItems.setSafe(start + k, Math.floorMod((items.sample(rnd) - 1) * PRIME, ITEMS));
      }
      history.endValue(r, len);
    }
    history.setValueCount(n);

    FixedSizeListVector embedding = (FixedSizeListVector) vectors.get(col++);
    embedding.setInitialCapacity(n);
    embedding.allocateNew();
    Float4Vector emb = (Float4Vector) embedding.getDataVector();
    for (int r = 0; r < n; r++) {
      embedding.setNotNull(r);
      int base = r * EMBEDDING_DIM;
      for (int k = 0; k < EMBEDDING_DIM; k++) {
        emb.set(base + k, (float) (rnd.nextGaussian() * 0.1));
      }
    }
    embedding.setValueCount(n);

    TinyIntVector label = (TinyIntVector) vectors.get(col++);
    label.allocateNew(n);
    for (int r = 0; r < n; r++) {
      double p = 1.0 / (1.0 + Math.exp(3.2 - 0.6 * f0.get(r)));
      label.set(r, rnd.nextDouble() < p ? 1 : 0);
    }
    label.setValueCount(n);
    root.setRowCount(n);
  }

  private static void fillDense(Float4Vector v, int feature, int n, SplittableRandom rnd) {
    int kind = feature / 8;
    int k = feature % 8;
    for (int r = 0; r < n; r++) {
      float x;
      switch (kind) {
        case 0: // Gaussian, full-precision mantissas
          x = (float) (rnd.nextGaussian() * (1 + k) + k * 0.5);
          break;
        case 1: // counts: log-normal, whole numbers
          x = (float) Math.floor(Math.exp(rnd.nextGaussian() * 1.2 + 0.3 * k));
          break;
        case 2: // ratios in [0, 1], three decimals
          x = (float) (Math.floor(Math.pow(rnd.nextDouble(), 1 + k) * 1000) / 1000.0);
          break;
        default: // sparse: mostly zero
          x = rnd.nextInt(5) == 0 ? (float) (-Math.log(1 - rnd.nextDouble()) * (k + 1)) : 0f;
          break;
      }
      v.set(r, x);
    }
    v.setValueCount(n);
  }

  /**
   * Zipf-like ranks in {@code [1, n]}: the continuous power law {@code x^-s} on
   * {@code [1, n + 1)} sampled by inverting its CDF, then floored. Rank 1 is the most frequent.
   */
  static final class Zipf {
    final long n;
    private final double s;
    private final double a; // (n + 1)^(1 - s) - 1, or log(n + 1) when s == 1
    private final double inv; // 1 / (1 - s)

    Zipf(long n, double s) {
      if (n < 1 || s <= 0) {
        throw new IllegalArgumentException("Zipf needs n >= 1 and s > 0, got n=" + n + ", s=" + s);
      }
      this.n = n;
      this.s = s;
      if (Math.abs(s - 1) < 1e-9) {
        this.a = Math.log(n + 1.0);
        this.inv = 0;
      } else {
        this.a = Math.pow(n + 1.0, 1 - s) - 1;
        this.inv = 1 / (1 - s);
      }
    }

    long sample(SplittableRandom rnd) {
      double u = rnd.nextDouble();
      double x = inv == 0 ? Math.exp(u * a) : Math.pow(u * a + 1, inv);
      long k = (long) x;
      return Math.max(1, Math.min(n, k));
    }

    @Override
    public String toString() {
      return "Zipf(n=" + n + ", s=" + s + ")";
    }
  }
}
