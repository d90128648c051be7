package dev.weft.bench;

import dev.weft.cli.parquet.BatchReader;
import dev.weft.cli.parquet.ParquetFile;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Steady-state CPU time of the Weft writer alone (JIT warmed up, input already decoded into Arrow
 * batches in memory), for the whole file and per column, with the stored size. Thread CPU time,
 * so a loaded machine distorts it less than wall time. Complements
 * cli/src/test/python/bench_convert_flights.py, which times the whole `weft convert`.
 *
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -cp 'benchmarks/target/classes:cli/target/weft-cli.jar:cli/target/lib/*' \
 *   dev.weft.bench.WriterCpu ../shared/testdata/real/flights-3m.parquet [ROUNDS] [col,col...]
 * </pre>
 */
public final class WriterCpu {
  private WriterCpu() {}

  public static void main(String[] args) throws Exception {
    Path src = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Path out = Files.createTempFile("weft-writer-cpu", ".weft");
    try (BufferAllocator root = new RootAllocator(); ParquetFile pf = ParquetFile.open(src)) {
      List<String> cols = args.length > 2 ? List.of(args[2].split(",")) : pf.columnNames();
      List<VectorSchemaRoot> batches = new ArrayList<>();
      long c0 = mx.getCurrentThreadCpuTime();
      try (BatchReader r = pf.batches(cols, BatchReader.Options.defaults())) {
        VectorSchemaRoot b;
        while ((b = r.next(65536, root)) != null) {
          batches.add(b);
        }
      }
      System.out.printf("read %s: %.3f s cpu (first, cold)%n", src.getFileName(), (mx.getCurrentThreadCpuTime() - c0) / 1e9);
      try {
        WriterOptions options = WriterOptions.builder().overwrite(true).build();
        Schema schema = batches.get(0).getSchema();
        for (int i = 0; i < rounds; i++) {
          c0 = mx.getCurrentThreadCpuTime();
          write(out, schema, batches, null, options, root);
          System.out.printf("write round %d: %.3f s cpu, %,d bytes%n", i + 1,
              (mx.getCurrentThreadCpuTime() - c0) / 1e9, Files.size(out));
        }
        for (int col = 0; col < schema.getFields().size(); col++) {
          Schema one = new Schema(List.of(schema.getFields().get(col)));
          double best = Double.MAX_VALUE;
          for (int i = 0; i < 3; i++) {
            c0 = mx.getCurrentThreadCpuTime();
            write(out, one, batches, col, options, root);
            best = Math.min(best, (mx.getCurrentThreadCpuTime() - c0) / 1e9);
          }
          System.out.printf("  column %s: %.3f s cpu (best of 3), %,d bytes%n", one.getFields().get(0).getName(), best,
              Files.size(out));
        }
      } finally {
        batches.forEach(VectorSchemaRoot::close);
      }
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static void write(Path out, Schema schema, List<VectorSchemaRoot> batches, Integer column,
      WriterOptions options, BufferAllocator root) throws Exception {
    try (WeftWriter w = WeftWriter.open(out, schema, null, options, root)) {
      for (VectorSchemaRoot b : batches) {
        if (column == null) {
          w.write(b);
        } else {
          // not closed: the vector stays owned by the batch
          w.write(new VectorSchemaRoot(schema, List.of(b.getVector(column)), b.getRowCount()));
        }
      }
    }
  }
}
