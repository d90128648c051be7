package dev.weft.bench.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Weft's take path: one uniformly random row, and 256 of them, all columns of the recsys table. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-modules=jdk.incubator.vector"})
public class TakeBenchmark {
  @Param({"200000"})
  public long rows;

  @Param({"zstd", "none"})
  public String codec;

  private WeftFile file;
  private final SplittableRandom rnd = new SplittableRandom(7);
  private final long[] one = new long[1];
  private final long[] batch = new long[256];

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    file = new WeftFile(rows, codec);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    file.close();
  }

  @Benchmark
  public int takeOneRow() throws Exception {
    one[0] = rnd.nextLong(file.rows);
    try (VectorSchemaRoot r = file.reader.take(one, null)) {
      return r.getRowCount();
    }
  }

  /** Throughput in batches/s: multiply by 256 for rows/s. */
  @Benchmark
  public int take256Rows() throws Exception {
    for (int i = 0; i < batch.length; i++) {
      batch[i] = rnd.nextLong(file.rows);
    }
    try (VectorSchemaRoot r = file.reader.take(batch, null)) {
      return r.getRowCount();
    }
  }
}
