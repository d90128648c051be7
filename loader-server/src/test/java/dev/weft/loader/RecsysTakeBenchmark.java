package dev.weft.loader;

import dev.weft.format.Codec;
import dev.weft.reader.WeftReader;
import dev.weft.testdata.gen.RecsysGenerator;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.compare.VectorEqualsVisitor;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Random take of 256 uniformly random rows (all 51 columns) of the synthetic recsys table
 * ({@link RecsysGenerator}, default 1,000,000 rows), side by side in one run:
 * <ul>
 *   <li>{@code weft-none} / {@code weft-zstd}: {@link WeftReader#take} on Weft files written with
 *       the writer's defaults and {@code Codec.NONE} / {@code Codec.ZSTD};
 *   <li>{@code asm-*}: {@link BatchAssembler#assemble} of a global-shuffle batch on those files;
 *   <li>{@code arrow-ipc}: the peer, an uncompressed Arrow IPC file written and read by Arrow Java
 *       ({@link ArrowFileReader}, all record batches loaded into memory), a take = locate each
 *       row's record batch and gather the rows into a new batch with {@link RowGather} (the
 *       in-RAM gather bound: no decoding, one copy).
 * </ul>
 * Contenders run round-robin (so noise hits all alike); each repeat times {@code batches} calls
 * after a warm-up; printed: the median over repeats of the mean time per call, rows/s, and the
 * ratio to the peer. Checks first that each Weft take equals the peer's rows. Asserts nothing
 * about speed. Off by default; run with
 * <pre>
 * mvn -B -o -pl loader-server -am test -Dtest=RecsysTakeBenchmark -Dweft.bench=true \
 *   -Dsurefire.failIfNoSpecifiedTests=false [-Dweft.bench.rows=1000000] [-Dweft.bench.dir=/tmp/x]
 * </pre>
 * With {@code weft.bench.dir} the files are kept there and reused by later runs (same rows);
 * {@code weft.bench.only=TEXT} times only the peer and the contenders whose name contains TEXT.
 */
@EnabledIfSystemProperty(named = "weft.bench", matches = "true")
class RecsysTakeBenchmark {
  private static final int BATCH = 256;

  interface Call {
    int run(long[] ids) throws Exception;
  }

  @Test
  void run() throws Exception {
    long rows = Long.getLong("weft.bench.rows", 1_000_000);
    int repeats = Integer.getInteger("weft.bench.repeats", 7);
    int batches = Integer.getInteger("weft.bench.batches", 200);
    String keep = System.getProperty("weft.bench.dir");
    Path dir = keep != null ? Files.createDirectories(Path.of(keep)) : Files.createTempDirectory("weft-take-bench");
    try (BufferAllocator alloc = new RootAllocator()) {
      Path none = dir.resolve("recsys-" + rows + "-none.weft");
      Path zstd = dir.resolve("recsys-" + rows + "-zstd.weft");
      Path ipc = dir.resolve("recsys-" + rows + ".arrow");
      writeWeft(none, rows, Codec.NONE, alloc);
      writeWeft(zstd, rows, Codec.ZSTD, alloc);
      writeArrow(ipc, rows, alloc);
      System.out.printf("recsys %d rows: weft-none %d MB, weft-zstd %d MB, arrow %d MB; %d cores%n", rows,
          Files.size(none) >> 20, Files.size(zstd) >> 20, Files.size(ipc) >> 20,
          Runtime.getRuntime().availableProcessors());

      List<VectorSchemaRoot> arrowBatches = loadArrow(ipc, alloc);
      int[] batchStart = new int[arrowBatches.size() + 1];
      for (int b = 0; b < arrowBatches.size(); b++) {
        batchStart[b + 1] = batchStart[b] + arrowBatches.get(b).getRowCount();
      }
      try (WeftDataset dsNone = WeftDataset.open(List.of(none), alloc);
          WeftDataset dsZstd = WeftDataset.open(List.of(zstd), alloc)) {
        BatchAssembler asmNone = new BatchAssembler(dsNone, null);
        BatchAssembler asmZstd = new BatchAssembler(dsZstd, null);
        Call arrow = ids -> {
          try (VectorSchemaRoot r = arrowTake(arrowBatches, batchStart, ids, alloc)) {
            return r.getRowCount();
          }
        };
        Map<String, Call> calls = new LinkedHashMap<>();
        calls.put("arrow-ipc (in-RAM gather, peer)", arrow);
        calls.put("weft-none reader.take", ids -> {
          try (VectorSchemaRoot r = dsNone.reader(0).take(ids, null)) {
            return r.getRowCount();
          }
        });
        calls.put("weft-zstd reader.take", ids -> {
          try (VectorSchemaRoot r = dsZstd.reader(0).take(ids, null)) {
            return r.getRowCount();
          }
        });
        calls.put("weft-none BatchAssembler", ids -> {
          try (VectorSchemaRoot r = asmNone.assemble(ids)) {
            return r.getRowCount();
          }
        });
        calls.put("weft-zstd BatchAssembler", ids -> {
          try (VectorSchemaRoot r = asmZstd.assemble(ids)) {
            return r.getRowCount();
          }
        });

        String only = System.getProperty("weft.bench.only");
        if (only != null) { // the peer, and the contenders whose name contains this
          calls.keySet().removeIf(k -> !k.startsWith("arrow") && !k.contains(only));
        }
        // correctness: every contender returns the peer's rows
        SplittableRandom check = new SplittableRandom(99);
        long[] ids = randomIds(check, rows, BATCH);
        ids[1] = ids[0]; // a duplicate
        try (VectorSchemaRoot expected = arrowTake(arrowBatches, batchStart, ids, alloc);
            VectorSchemaRoot a = dsNone.reader(0).take(ids, null);
            VectorSchemaRoot b = dsZstd.reader(0).take(ids, null);
            VectorSchemaRoot c = asmNone.assemble(ids);
            VectorSchemaRoot d = asmZstd.assemble(ids)) {
          for (VectorSchemaRoot got : List.of(a, b, c, d)) {
            requireEqual(expected, got);
          }
        }

        // ids: a global-shuffle epoch order's batches, the same for every contender
        EpochOrder order = EpochOrder.create(dsNone, ShuffleOptions.global(1), 0);
        ShardPlan plan = ShardPlan.create(dsNone.numRows(), 0, 1, BATCH);
        Map<String, double[]> times = new LinkedHashMap<>();
        calls.keySet().forEach(k -> times.put(k, new double[repeats]));
        long next = 0;
        for (int rep = -1; rep < repeats; rep++) { // rep -1 warms up
          for (Map.Entry<String, Call> e : calls.entrySet()) {
            long j0 = next;
            long t0 = System.nanoTime();
            long got = 0;
            for (int i = 0; i < batches; i++) {
              got += e.getValue().run(plan.rowIdsOfBatch(order, (j0 + i) % plan.batchesPerRank()));
            }
            long t = System.nanoTime() - t0;
            if (got != (long) batches * BATCH) {
              throw new AssertionError(e.getKey() + " returned " + got + " rows");
            }
            if (rep >= 0) {
              times.get(e.getKey())[rep] = t / 1e3 / batches;
            }
          }
          next += batches;
        }
        double peer = median(times.values().iterator().next());
        System.out.printf("take of %d random rows, all columns; median of %d repeats of %d calls:%n", BATCH,
            repeats, batches);
        for (Map.Entry<String, double[]> e : times.entrySet()) {
          double us = median(e.getValue());
          System.out.printf("  %-34s %9.1f us/call %10.0f rows/s  %.3fx peer   (repeats: %s)%n", e.getKey(), us,
              BATCH * 1e6 / us, peer / us, fmt(e.getValue()));
        }
      } finally {
        for (VectorSchemaRoot r : arrowBatches) {
          r.close();
        }
      }
    } finally {
      if (keep == null) {
        try (var s = Files.list(dir)) {
          for (Path p : s.toList()) {
            Files.deleteIfExists(p);
          }
        }
        Files.deleteIfExists(dir);
      }
    }
  }

  private static String fmt(double[] v) {
    StringBuilder b = new StringBuilder();
    for (double x : v) {
      b.append(b.length() == 0 ? "" : " ").append(String.format("%.0f", x));
    }
    return b.toString();
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  static long[] randomIds(SplittableRandom rnd, long rows, int n) {
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = rnd.nextLong(rows);
    }
    return ids;
  }

  static void requireEqual(VectorSchemaRoot expected, VectorSchemaRoot got) {
    if (expected.getRowCount() != got.getRowCount()) {
      throw new AssertionError("row count " + got.getRowCount() + " != " + expected.getRowCount());
    }
    for (int c = 0; c < expected.getFieldVectors().size(); c++) {
      if (!VectorEqualsVisitor.vectorEquals(expected.getVector(c), got.getVector(c))) {
        throw new AssertionError("column " + expected.getVector(c).getName() + " differs");
      }
    }
  }

  static VectorSchemaRoot arrowTake(List<VectorSchemaRoot> batches, int[] batchStart, long[] ids,
      BufferAllocator alloc) {
    int[] src = new int[ids.length];
    int[] rowsOf = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      int b = Arrays.binarySearch(batchStart, (int) ids[i]);
      b = b >= 0 ? b : -b - 2;
      src[i] = b;
      rowsOf[i] = (int) ids[i] - batchStart[b];
    }
    return RowGather.gather(batches, src, rowsOf, alloc);
  }

  static void writeWeft(Path file, long rows, Codec codec, BufferAllocator alloc) throws IOException {
    if (Files.exists(file)) {
      return;
    }
    RecsysGenerator gen = new RecsysGenerator(rows, 42);
    long t0 = System.nanoTime();
    try (VectorSchemaRoot root = gen.newRoot(alloc);
        WeftWriter w = WeftWriter.open(file, RecsysGenerator.schema(), null,
            WriterOptions.builder().compression(codec).build(), alloc)) {
      for (int b = 0; b < gen.numBatches(); b++) {
        gen.fill(root, b);
        w.write(root);
      }
    }
    System.out.printf("wrote %s in %.1f s%n", file.getFileName(), (System.nanoTime() - t0) / 1e9);
  }

  private static void writeArrow(Path file, long rows, BufferAllocator alloc) throws IOException {
    if (Files.exists(file)) {
      return;
    }
    RecsysGenerator gen = new RecsysGenerator(rows, 42);
    try (VectorSchemaRoot root = gen.newRoot(alloc);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ArrowFileWriter w = new ArrowFileWriter(root, null, ch)) {
      w.start();
      for (int b = 0; b < gen.numBatches(); b++) {
        gen.fill(root, b);
        w.writeBatch();
      }
      w.end();
    }
  }

  /** Every record batch of an Arrow IPC file, each in its own root (caller closes them). */
  private static List<VectorSchemaRoot> loadArrow(Path file, BufferAllocator alloc) throws IOException {
    List<VectorSchemaRoot> out = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        ArrowFileReader r = new ArrowFileReader(ch, alloc)) {
      VectorSchemaRoot src = r.getVectorSchemaRoot();
      for (ArrowBlock block : r.getRecordBlocks()) {
        r.loadRecordBatch(block);
        VectorSchemaRoot copy = VectorSchemaRoot.create(src.getSchema(), alloc);
        try (ArrowRecordBatch arb = new VectorUnloader(src).getRecordBatch()) {
          new VectorLoader(copy).load(arb);
        }
        out.add(copy);
      }
    }
    return out;
  }
}
