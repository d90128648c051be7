package dev.weft.reader.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.index.Expr;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmarks of issue 6, run only with {@code -Dweft.bench=true}:
 *
 * <pre>
 * mvn -B -o -pl reader test -Dtest=IndexBenchmarkTest -Dweft.bench=true [-Dweft.bench.python=.venv/bin/python]
 * </pre>
 *
 * <ol>
 *   <li>Selective scan: 2,000,000 rows, a predicate on a sorted column selecting 1% of the rows;
 *       bytes read and time against a full scan (medians of 5).
 *   <li>Open + project 10 of 10,000 float32 columns (10,000 rows): a new reader, the 10 columns
 *       read in full, closed (after 10 warm-up repetitions); against pyarrow reading the same 10 columns of a Parquet file of the
 *       same shape ({@code pq.read_table(path, columns=...)}, footer parsing included), same run,
 *       when {@code weft.bench.python} names a Python with pyarrow (medians of 7).
 * </ol>
 */
@EnabledIfSystemProperty(named = "weft.bench", matches = "true")
class IndexBenchmarkTest {
  @TempDir Path dir;

  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  @Test
  void selectiveScanOfOnePercentOnASortedColumn() throws Exception {
    int rows = 2_000_000;
    Schema schema = new Schema(List.of(Field.notNullable("id", new ArrowType.Int(64, true)),
        Field.nullable("x", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
        Field.nullable("label", new ArrowType.Int(32, true)), Field.nullable("city", ArrowType.Utf8.INSTANCE)));
    Path p = dir.resolve("sel.weft");
    String[] cities = {"NYC", "SFO", "LAX", "BOS", "SEA", "CHI", "AUS", "DEN"};
    Random rnd = new Random(1);
    try (BufferAllocator a = new RootAllocator(); WeftWriter w = WeftWriter.open(p, schema, WriterOptions.defaults())) {
      for (int base = 0; base < rows; base += 100_000) {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, a)) {
          root.allocateNew();
          for (int i = 0; i < 100_000; i++) {
            ((BigIntVector) root.getVector(0)).setSafe(i, base + i);
            ((Float8Vector) root.getVector(1)).setSafe(i, rnd.nextGaussian());
            ((IntVector) root.getVector(2)).setSafe(i, rnd.nextInt(10));
            ((VarCharVector) root.getVector(3)).setSafe(i, cities[rnd.nextInt(8)].getBytes(StandardCharsets.UTF_8));
          }
          root.setRowCount(100_000);
          w.write(root);
        }
      }
    }
    Expr onePercent = Expr.and(Expr.ge(Expr.col("id"), Expr.lit(1_000_000)), Expr.lt(Expr.col("id"), Expr.lit(1_020_000)));
    int reps = 5;
    double[] fullMs = new double[reps];
    double[] selMs = new double[reps];
    double[] countMs = new double[reps];
    long fullBytes = 0;
    long selBytes = 0;
    for (int rep = 0; rep < reps + 1; rep++) {
      try (WeftReader r = WeftReader.open(p)) {
        long t0 = System.nanoTime();
        long n = 0;
        try (WeftScanner s = r.scan(null, 65_536)) {
          while (s.hasNext()) {
            try (VectorSchemaRoot b = s.next()) {
              n += b.getRowCount();
            }
          }
        }
        long t1 = System.nanoTime();
        assertEquals(rows, n);
        fullBytes = r.stats().bytesRead();
      }
      try (WeftReader r = WeftReader.open(p)) {
        long t0 = System.nanoTime();
        long n = 0;
        try (WeftScanner s = r.scan(null, onePercent, 65_536)) {
          while (s.hasNext()) {
            try (VectorSchemaRoot b = s.next()) {
              n += b.getRowCount();
            }
          }
        }
        long t1 = System.nanoTime();
        assertEquals(20_000, n);
        selBytes = r.stats().bytesRead();
        long c0 = System.nanoTime();
        assertEquals(20_000, r.count(onePercent));
        long c1 = System.nanoTime();
        if (rep > 0) {
          selMs[rep - 1] = (t1 - t0) / 1e6;
          countMs[rep - 1] = (c1 - c0) / 1e6;
        }
      }
      if (rep > 0) {
        try (WeftReader r = WeftReader.open(p)) {
          long t0 = System.nanoTime();
          try (WeftScanner s = r.scan(null, 65_536)) {
            while (s.hasNext()) {
              s.next().close();
            }
          }
          fullMs[rep - 1] = (System.nanoTime() - t0) / 1e6;
        }
      }
    }
    System.out.printf(Locale.ROOT, "[IndexBenchmark] selective scan (1%% of %,d rows, sorted id): %,d bytes read vs"
        + " full scan %,d bytes = %.2f%%; time %.1f ms vs %.1f ms (%.1fx faster); count %.1f ms%n", rows, selBytes,
        fullBytes, 100.0 * selBytes / fullBytes, median(selMs), median(fullMs), median(fullMs) / median(selMs),
        median(countMs));
    assertTrue(selBytes <= fullBytes * 0.05);
    // Unselective predicates (nothing to prune, every row evaluated): what filtering costs.
    for (String where : List.of("label < 5", "city = 'NYC'", "x > 0 AND label IN (1, 2, 3)")) {
      double[] t = new double[reps];
      long n = 0;
      for (int rep = 0; rep < reps + 1; rep++) {
        try (WeftReader r = WeftReader.open(p)) {
          long t0 = System.nanoTime();
          n = 0;
          try (WeftScanner s = r.scan(null, where, 65_536)) {
            while (s.hasNext()) {
              try (VectorSchemaRoot b = s.next()) {
                n += b.getRowCount();
              }
            }
          }
          if (rep > 0) {
            t[rep - 1] = (System.nanoTime() - t0) / 1e6;
          }
        }
      }
      System.out.printf(Locale.ROOT, "[IndexBenchmark] filtered scan '%s': %,d of %,d rows in %.1f ms (full scan %.1f ms)%n",
          where, n, rows, median(t), median(fullMs));
    }
  }

  /**
   * The pyarrow side: writes the Parquet file if missing, prints "ready", then answers each input
   * line with the milliseconds of one {@code pq.read_table(path, columns=10 columns)}, so that its
   * repetitions interleave with Weft's on this noisy machine.
   */
  static final String PYARROW = String.join("\n",
      "import os, sys, time, numpy as np, pyarrow as pa, pyarrow.parquet as pq",
      "path, cols, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])",
      "names = ['f%05d' % c for c in range(cols)]",
      "if not os.path.exists(path):",
      "    rng = np.random.default_rng(1)",
      "    pq.write_table(pa.table({n: rng.standard_normal(rows, dtype=np.float32) for n in names}), path,",
      "                   compression='zstd')",
      "proj = ['f%05d' % (i * 997) for i in range(10)]",
      "print('ready ' + pa.__version__, flush=True)",
      "for line in sys.stdin:",
      "    t0 = time.perf_counter()",
      "    got = pq.read_table(path, columns=proj)",
      "    t1 = time.perf_counter()",
      "    assert got.num_rows == rows and got.num_columns == 10",
      "    print('%.3f' % ((t1 - t0) * 1000), flush=True)",
      "");

  @Test
  void openAndProjectTenOfTenThousandColumns() throws Exception {
    int cols = 10_000;
    int rows = 10_000;
    List<Field> fields = new ArrayList<>();
    for (int c = 0; c < cols; c++) {
      fields.add(Field.nullable(String.format("f%05d", c), new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)));
    }
    Schema schema = new Schema(fields);
    // -Dweft.bench.dir=DIR keeps the generated files there and reuses them in later runs
    Path work = System.getProperty("weft.bench.dir") != null ? Path.of(System.getProperty("weft.bench.dir")) : dir;
    Files.createDirectories(work);
    Path p = work.resolve("wide.weft");
    Random rnd = new Random(1);
    if (!Files.exists(p)) {
    try (BufferAllocator a = new RootAllocator(); WeftWriter w = WeftWriter.open(p, schema, WriterOptions.defaults())) {
      for (int base = 0; base < rows; base += 1000) {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, a)) {
          root.allocateNew();
          for (int c = 0; c < cols; c++) {
            Float4Vector v = (Float4Vector) root.getVector(c);
            for (int i = 0; i < 1000; i++) {
              v.set(i, (float) rnd.nextGaussian());
            }
          }
          root.setRowCount(1000);
          w.write(root);
        }
      }
    }
    }
    List<String> projection = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      projection.add(String.format("f%05d", i * 997));
    }
    int reps = 15;
    int warmup = 10; // the JIT compiles the read path during the first repetitions
    String python = System.getProperty("weft.bench.python");
    Process py = null;
    java.io.BufferedReader pyOut = null;
    java.io.Writer pyIn = null;
    String pyVersion = null;
    if (python != null) {
      Path script = dir.resolve("pyarrow_open_project.py");
      Files.writeString(script, PYARROW);
      py = new ProcessBuilder(python, script.toString(), work.resolve("wide.parquet").toString(),
          Integer.toString(cols), Integer.toString(rows)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      pyOut = new java.io.BufferedReader(new java.io.InputStreamReader(py.getInputStream(), StandardCharsets.UTF_8));
      pyIn = new java.io.OutputStreamWriter(py.getOutputStream(), StandardCharsets.UTF_8);
      String ready = pyOut.readLine();
      assertTrue(ready != null && ready.startsWith("ready"), "pyarrow side: " + ready);
      pyVersion = ready.substring(6);
    }
    double[] ms = new double[reps];
    double[] pyMs = new double[reps];
    double[] ratio = new double[reps];
    long bytes = 0;
    long metaBytes = 0;
    for (int rep = 0; rep < reps + warmup; rep++) {
      long t0 = System.nanoTime();
      try (WeftReader r = WeftReader.open(p)) {
        long n = 0;
        try (WeftScanner s = r.scan(projection, rows)) {
          while (s.hasNext()) {
            try (VectorSchemaRoot b = s.next()) {
              n += b.getRowCount();
            }
          }
        }
        assertEquals(rows, n);
        bytes = r.stats().bytesRead();
        metaBytes = r.stats().metadataBytesRead();
      }
      double weft = (System.nanoTime() - t0) / 1e6;
      double pyarrow = Double.NaN;
      if (py != null && rep >= warmup - 1) { // pyarrow: one warm-up read
        pyIn.write("go\n");
        pyIn.flush();
        pyarrow = Double.parseDouble(pyOut.readLine());
      }
      if (rep >= warmup) {
        ms[rep - warmup] = weft;
        pyMs[rep - warmup] = pyarrow;
        ratio[rep - warmup] = pyarrow / weft;
      }
    }
    System.out.printf(Locale.ROOT, "[IndexBenchmark] weft open + read 10 of %,d float32 columns x %,d rows: %.2f ms"
        + " (median of %d), %,d bytes read, %,d of them metadata; file %,d bytes%n", cols, rows, median(ms), reps,
        bytes, metaBytes, Files.size(p));
    if (py != null) {
      pyIn.close();
      assertEquals(0, py.waitFor());
      System.out.printf(Locale.ROOT, "[IndexBenchmark] pyarrow %s read_table(10 of %,d columns) of Parquet, interleaved"
          + " with weft's repetitions: %.2f ms (median of %d); weft is %.1fx faster (ratio of medians), median of"
          + " per-repetition ratios %.1fx%n", pyVersion, cols, median(pyMs), reps, median(pyMs) / median(ms),
          median(ratio));
    }
  }
}
