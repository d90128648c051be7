package dev.weft.loader;

import dev.weft.format.Codec;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Times the assembly of 256-row shuffled batches from a 1,000,000-row, 10-column numeric
 * dataset (one file, and the same rows in 4 files), uncompressed and zstd. Prints, asserts
 * nothing. Off by default; run with
 * {@code mvn ... -Dtest=AssemblyBenchmark -Dweft.bench=true}.
 */
@EnabledIfSystemProperty(named = "weft.bench", matches = "true")
class AssemblyBenchmark {
  private static final int ROWS = 1_000_000;
  private static final int BATCH = 256;

  @TempDir Path dir;

  static Schema schema() {
    List<Field> f = new ArrayList<>();
    f.add(Field.nullable("id", new ArrowType.Int(64, true)));
    f.add(Field.nullable("label", new ArrowType.Int(32, true)));
    f.add(Field.nullable("cat", new ArrowType.Int(32, true)));
    for (int i = 0; i < 5; i++) {
      f.add(Field.nullable("f64_" + i, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)));
    }
    for (int i = 0; i < 2; i++) {
      f.add(Field.nullable("f32_" + i, new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)));
    }
    return new Schema(f);
  }

  static void write(Path file, long from, long to, Codec codec, BufferAllocator alloc) throws Exception {
    java.nio.file.Files.createDirectories(file.getParent());
    Random rnd = new Random(from);
    int chunk = 65536;
    try (WeftWriter w = WeftWriter.open(file, schema(), null,
        WriterOptions.builder().compression(codec).build(), alloc);
        VectorSchemaRoot root = VectorSchemaRoot.create(schema(), alloc)) {
      for (long start = from; start < to; start += chunk) {
        int n = (int) Math.min(chunk, to - start);
        for (FieldVector v : root.getFieldVectors()) {
          v.setInitialCapacity(chunk);
        }
        root.allocateNew();
        for (FieldVector v : root.getFieldVectors()) {
          for (int i = 0; i < n; i++) {
            if (v instanceof BigIntVector b) {
              b.set(i, start + i);
            } else if (v instanceof IntVector iv) {
              iv.set(i, v.getName().equals("label") ? rnd.nextInt(2) : rnd.nextInt(1000));
            } else if (v instanceof Float8Vector d) {
              d.set(i, rnd.nextGaussian());
            } else if (v instanceof Float4Vector d) {
              d.set(i, (float) rnd.nextGaussian());
            }
          }
        }
        root.setRowCount(n);
        w.write(root);
      }
    }
  }

  private static String stats(long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    double mean = Arrays.stream(s).average().orElse(0) / 1000;
    return String.format("mean %.1f us, p50 %.1f us, p90 %.1f us, p99 %.1f us", mean, s[s.length / 2] / 1e3,
        s[s.length * 9 / 10] / 1e3, s[s.length * 99 / 100] / 1e3);
  }

  private static void time(String what, int batches, BatchFn fn) throws Exception {
    for (int i = 0; i < batches / 2; i++) {
      fn.run(i); // warm-up
    }
    long[] t = new long[batches];
    for (int i = 0; i < batches; i++) {
      long t0 = System.nanoTime();
      fn.run(batches / 2 + i);
      t[i] = System.nanoTime() - t0;
    }
    System.out.println("  " + what + ": " + stats(t));
  }

  interface BatchFn {
    void run(long j) throws Exception;
  }

  @Test
  void gatherOnly() throws Exception {
    try (BufferAllocator alloc = new RootAllocator()) {
      Path p = dir.resolve("g/small.weft");
      write(p, 0, 4096, Codec.NONE, alloc);
      try (WeftDataset ds = WeftDataset.open(List.of(p), alloc);
          VectorSchemaRoot src = ds.reader(0).take(java.util.stream.LongStream.range(0, BATCH).toArray(), null)) {
        int[] zero = new int[BATCH];
        int[] rows = new int[BATCH];
        Random rnd = new Random(1);
        for (int i = 0; i < BATCH; i++) {
          rows[i] = rnd.nextInt(BATCH);
        }
        time("RowGather of 256 rows x 10 numeric columns", 20000, j -> {
          try (VectorSchemaRoot r = RowGather.gather(List.of(src), zero, rows, alloc)) {
            if (r.getRowCount() != BATCH) {
              throw new AssertionError();
            }
          }
        });
        time("RowGather of 1 row x 10 numeric columns (fixed cost)", 20000, j -> {
          try (VectorSchemaRoot r = RowGather.gather(List.of(src), new int[1], new int[1], alloc)) {
            if (r.getRowCount() != 1) {
              throw new AssertionError();
            }
          }
        });
        long[] sorted = java.util.stream.LongStream.range(0, BATCH).map(i -> i * 16).toArray();
        time("reader.take of 256 sorted rows, 16 apart (in few mini-blocks)", 20000, j -> {
          try (VectorSchemaRoot r = ds.reader(0).take(sorted, null)) {
            if (r.getRowCount() != BATCH) {
              throw new AssertionError();
            }
          }
        });
      }
    }
  }

  @Test
  void run() throws Exception {
    try (BufferAllocator alloc = new RootAllocator()) {
      for (Codec codec : new Codec[] {Codec.NONE, Codec.ZSTD}) {
        // plus half as many warm-up batches, all within one epoch of 3906 batches
        int batches = codec == Codec.ZSTD ? 400 : 2000;
        Path one = dir.resolve(codec + "-1");
        Path four = dir.resolve(codec + "-4");
        long t0 = System.nanoTime();
        write(one.resolve("all.weft"), 0, ROWS, codec, alloc);
        for (int f = 0; f < 4; f++) {
          write(four.resolve("part" + f + ".weft"), f * (long) ROWS / 4, (f + 1) * (long) ROWS / 4, codec, alloc);
        }
        System.out.printf("%s: wrote 1M rows x 10 columns twice in %.1f s (%d MB per copy)%n", codec,
            (System.nanoTime() - t0) / 1e9, java.nio.file.Files.size(one.resolve("all.weft")) >> 20);
        for (Path p : new Path[] {one, four}) {
          try (WeftDataset ds = WeftDataset.open(List.of(p), alloc)) {
            System.out.println(" " + ds);
            BatchAssembler asm = new BatchAssembler(ds, null);
            EpochOrder order = EpochOrder.create(ds, ShuffleOptions.global(1), 0);
            EpochOrder block = EpochOrder.create(ds, ShuffleOptions.block(1, 64, 16), 0);
            ShardPlan plan = ShardPlan.create(ds.numRows(), 0, 1, BATCH);
            time("order.at x256 (global)", batches, j -> plan.rowIdsOfBatch(order, j));
            time("order.at x256 (block 64x16)", batches, j -> plan.rowIdsOfBatch(block, j));
            time("assemble 256 rows, global shuffle", batches, j -> {
              try (VectorSchemaRoot r = asm.assemble(plan.rowIdsOfBatch(order, j))) {
                if (r.getRowCount() != BATCH) {
                  throw new AssertionError();
                }
              }
            });
            time("assemble 256 rows, block shuffle 64x16", batches, j -> {
              try (VectorSchemaRoot r = asm.assemble(plan.rowIdsOfBatch(block, j))) {
                if (r.getRowCount() != BATCH) {
                  throw new AssertionError();
                }
              }
            });
            if (ds.numFiles() == 1) {
              time("  (reader.take of the shuffled ids directly, for comparison)", batches, j -> {
                try (VectorSchemaRoot r = ds.reader(0).take(plan.rowIdsOfBatch(order, j), null)) {
                  if (r.getRowCount() != BATCH) {
                    throw new AssertionError();
                  }
                }
              });
              time("  (reader.take of the sorted ids, for comparison)", batches, j -> {
                long[] ids = plan.rowIdsOfBatch(order, j);
                Arrays.sort(ids);
                try (VectorSchemaRoot r = ds.reader(0).take(ids, null)) {
                  if (r.getRowCount() != BATCH) {
                    throw new AssertionError();
                  }
                }
              });
            }
          }
        }
      }
    }
  }
}
