package dev.weft.bench.jmh;

import dev.weft.reader.WeftScanner;
import java.util.List;
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

/**
 * Weft's scan path: a full scan of all columns, and per-node decode: a scan of one column of each
 * node kind of the recsys table (fixed-width float32 and int64, int8, a list&lt;int64&gt;, a
 * fixed_size_list&lt;float32&gt;[64]), which measures the decoder of that kind through the public
 * reader API (so it keeps working while encodings change).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-modules=jdk.incubator.vector"})
public class ScanBenchmark {
  @Param({"200000"})
  public long rows;

  @Param({"zstd", "none"})
  public String codec;

  @Param({"*", "f0", "c8", "label", "history", "embedding"})
  public String column;

  @Param({"65536"})
  public int batchRows;

  private WeftFile file;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    file = new WeftFile(rows, codec);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    file.close();
  }

  /** Time of one scan (all columns when column is "*"); rows/s = rows / time. */
  @Benchmark
  public long scan() throws Exception {
    long n = 0;
    try (WeftScanner s = file.reader.scan(column.equals("*") ? null : List.of(column), batchRows)) {
      while (s.hasNext()) {
        try (VectorSchemaRoot b = s.nextBatch()) {
          n += b.getRowCount();
        }
      }
    }
    return n;
  }
}
