package dev.weft.loader;

import dev.weft.reader.WeftScanner;
import dev.weft.testdata.gen.RecsysGenerator;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Server-side assembly of one 256-row global-shuffle batch of the synthetic recsys table (the
 * 50 columns of the loader benchmark: f0..f31 float32, c0..c15 int64, embedding float32[64],
 * label int8; default {@code WriterOptions}, 200,000 rows), next to the in-JVM gather bound over
 * the same data, in one run, round-robin:
 * <ul>
 *   <li>{@code bound}: the columns preloaded as Java arrays, a batch = one gather per column into
 *       new arrays (what numpy's {@code a[idx]} does in the client);
 *   <li>{@code direct -> slot}: what the shm server does per batch now, {@link DirectBatchWriter}
 *       gathering from {@link DecodedColumns} straight into slot-like memory (ids included);
 *   <li>{@code assemble (decoded) -> root}: {@link BatchAssembler#assemble} as vectors (what the
 *       Flight transport gets);
 *   <li>{@code take (pread|mmap) + serialize -> slot}: the path of batches that are not gathered
 *       from decoded columns, the reader's take into vectors, then {@code MessageSerializer} into
 *       the slot; once with the file read with positional reads (the server's default), once with
 *       the same file memory-mapped (two datasets, each with its own block cache).
 * </ul>
 * First times one epoch of {@code direct} from a cold cache (mapped, then pread) (the first epoch reads and decodes
 * each chunk once). Prints medians over repeats of the mean time per batch and the ratio to the
 * bound, by wall time and by the thread's CPU time (steadier on a shared machine). Off by default:
 * <pre>
 * mvn -B -o -pl loader-server -am test -Dtest=ServerAssemblyBenchmark -Dweft.bench=true \
 *   -Dsurefire.failIfNoSpecifiedTests=false [-Dweft.bench.rows=200000] [-Dweft.bench.dir=/tmp/x]
 * </pre>
 */
@EnabledIfSystemProperty(named = "weft.bench", matches = "true")
class ServerAssemblyBenchmark {
  private static final int BATCH = 256;
  private static final List<String> COLUMNS = columns();

  private static List<String> columns() {
    List<String> c = new ArrayList<>();
    for (int i = 0; i < RecsysGenerator.DENSE_FEATURES; i++) {
      c.add("f" + i);
    }
    for (int i = 0; i < RecsysGenerator.CATEGORICAL_FEATURES; i++) {
      c.add("c" + i);
    }
    c.add("embedding");
    c.add("label");
    return c;
  }

  interface Call {
    long run(long[] ids) throws Exception;
  }

  /** The columns as plain arrays: the bound's data. */
  static final class InRam {
    final float[][] dense = new float[RecsysGenerator.DENSE_FEATURES][];
    final long[][] cat = new long[RecsysGenerator.CATEGORICAL_FEATURES][];
    float[] emb;
    byte[] label;

    long gather(long[] ids) {
      int n = ids.length;
      long sink = 0;
      for (float[] col : dense) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
          out[i] = col[(int) ids[i]];
        }
        sink += out.length;
      }
      for (long[] col : cat) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
          out[i] = col[(int) ids[i]];
        }
        sink += out.length;
      }
      int d = RecsysGenerator.EMBEDDING_DIM;
      float[] e = new float[n * d];
      for (int i = 0; i < n; i++) {
        System.arraycopy(emb, (int) ids[i] * d, e, i * d, d);
      }
      byte[] l = new byte[n];
      for (int i = 0; i < n; i++) {
        l[i] = label[(int) ids[i]];
      }
      return sink + e.length + l.length;
    }
  }

  @Test
  void run() throws Exception {
    long rows = Long.getLong("weft.bench.rows", 200_000);
    int repeats = Integer.getInteger("weft.bench.repeats", 5);
    int batches = Integer.getInteger("weft.bench.batches", 300);
    String keep = System.getProperty("weft.bench.dir");
    Path dir = keep != null ? Files.createDirectories(Path.of(keep)) : Files.createTempDirectory("weft-asm-bench");
    Path file = dir.resolve("recsys-" + rows + "-default.weft");
    try (BufferAllocator alloc = new RootAllocator()) {
      write(file, rows, alloc);
      InRam ram = load(file, rows, alloc);
      // the server's datasets read with pread (the default); the same file memory-mapped beside it
      try (WeftDataset ds = WeftDataset.open(List.of(file), alloc);
          WeftDataset mapped = WeftDataset.open(List.of(file), alloc, DecodedColumns.DEFAULT_BYTES,
              WeftDataset.BLOCK_CACHE_BYTES, true)) {
        BatchAssembler fast = new BatchAssembler(ds, COLUMNS);
        BatchAssembler take = new BatchAssembler(ds, COLUMNS, false);
        BatchAssembler takeMapped = new BatchAssembler(mapped, COLUMNS, false);
        DirectBatchWriter direct = fast.direct();
        DirectBatchWriter directMapped = new BatchAssembler(mapped, COLUMNS).direct();
        if (direct == null || directMapped == null) {
          throw new AssertionError("the recsys columns are not gathered from decoded columns");
        }
        ByteBuffer slot = ByteBuffer.allocateDirect(4 << 20);
        long slotAddr = MemoryUtil.getByteBufferAddress(slot);
        EpochOrder order = EpochOrder.create(ds, ShuffleOptions.global(1), 0);
        ShardPlan plan = ShardPlan.create(ds.numRows(), 0, 1, BATCH);
        // correctness first: both paths give the same rows
        long[] check = plan.rowIdsOfBatch(order, 0);
        try (VectorSchemaRoot a = fast.assemble(check);
            VectorSchemaRoot b = take.assemble(check)) {
          RecsysTakeBenchmark.requireEqual(b, a);
        }
        // one epoch from a cold cache, first with the file mapped (the reads then are page faults),
        // after one on a throwaway dataset, so that neither pays for the JIT
        try (WeftDataset warm = WeftDataset.open(List.of(file), alloc)) {
          DirectBatchWriter w = new BatchAssembler(warm, COLUMNS).direct();
          for (long j = 0; j < plan.batchesPerRank(); j++) {
            w.write(plan.rowIdsOfBatch(order, j), slotAddr, slot.capacity());
          }
        }
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long m0 = System.nanoTime();
        long mc0 = mx.getCurrentThreadCpuTime();
        for (long j = 0; j < plan.batchesPerRank(); j++) {
          directMapped.write(plan.rowIdsOfBatch(order, j), slotAddr, slot.capacity());
        }
        double coldMappedUs = (System.nanoTime() - m0) / 1e3 / plan.batchesPerRank();
        double coldMappedCpuUs = (mx.getCurrentThreadCpuTime() - mc0) / 1e3 / plan.batchesPerRank();
        long t0 = System.nanoTime();
        long c0 = mx.getCurrentThreadCpuTime();
        long bytes = 0;
        for (long j = 0; j < plan.batchesPerRank(); j++) {
          bytes += direct.write(plan.rowIdsOfBatch(order, j), slotAddr, slot.capacity());
        }
        double coldUs = (System.nanoTime() - t0) / 1e3 / plan.batchesPerRank();
        double coldCpuUs = (mx.getCurrentThreadCpuTime() - c0) / 1e3 / plan.batchesPerRank();
        System.out.printf("recsys %d rows (%d MB .weft, default writer options), %d columns, %d cores; "
                + "first epoch from a cold cache: %.1f us/batch wall, %.1f us CPU (%d batches, %.0f KB per message); decoded cache "
                + "%d MB held of %d MB budget%n",
            rows, Files.size(file) >> 20, COLUMNS.size(), Runtime.getRuntime().availableProcessors(), coldUs, coldCpuUs,
            plan.batchesPerRank(), bytes / 1024.0 / plan.batchesPerRank(), ds.decodedColumns().heldBytes() >> 20,
            ds.decodedColumns().capacityBytes() >> 20);
        System.out.printf("  the same first epoch with the file memory-mapped: %.1f us/batch wall, %.1f us CPU%n",
            coldMappedUs, coldMappedCpuUs);

        Map<String, Call> calls = new LinkedHashMap<>();
        calls.put("bound: in-JVM gather (Java arrays)", ram::gather);
        calls.put("direct -> slot (shm server now)", ids -> direct.write(ids, slotAddr, slot.capacity()));
        calls.put("assemble (decoded) -> root (Flight)", ids -> {
          try (VectorSchemaRoot r = fast.assemble(ids)) {
            return r.getRowCount();
          }
        });
        calls.put("take (mmap) + serialize -> slot", ids -> {
          try (VectorSchemaRoot r = takeMapped.assemble(ids);
              ArrowRecordBatch arb = new VectorUnloader(r).getRecordBatch()) {
            slot.clear();
            WriteChannel out = new WriteChannel(new ServerStream.SlotChannel(slot));
            ByteBuffer meta = MessageSerializer.serializeMetadata(arb, IpcOption.DEFAULT);
            MessageSerializer.writeMessageBuffer(out, meta.remaining(), meta, IpcOption.DEFAULT);
            MessageSerializer.writeBatchBuffers(out, arb);
            return out.getCurrentPosition();
          }
        });
        calls.put("take (pread) + serialize -> slot", ids -> {
          try (VectorSchemaRoot r = take.assemble(ids);
              ArrowRecordBatch arb = new VectorUnloader(r).getRecordBatch()) {
            slot.clear();
            WriteChannel out = new WriteChannel(new ServerStream.SlotChannel(slot));
            ByteBuffer meta = MessageSerializer.serializeMetadata(arb, IpcOption.DEFAULT);
            MessageSerializer.writeMessageBuffer(out, meta.remaining(), meta, IpcOption.DEFAULT);
            MessageSerializer.writeBatchBuffers(out, arb);
            return out.getCurrentPosition();
          }
        });
        String only = System.getProperty("weft.bench.only");
        if (only != null) {
          calls.keySet().removeIf(k -> !k.startsWith("bound") && !k.contains(only));
        }
        Map<String, double[]> times = new LinkedHashMap<>();
        Map<String, double[]> cpu = new LinkedHashMap<>();
        calls.keySet().forEach(k -> times.put(k, new double[repeats]));
        calls.keySet().forEach(k -> cpu.put(k, new double[repeats]));
        long next = 0;
        for (int rep = -1; rep < repeats; rep++) { // rep -1 warms up
          for (Map.Entry<String, Call> e : calls.entrySet()) {
            int n = e.getKey().startsWith("take") ? Math.max(20, batches / 10) : batches;
            long[][] ids = new long[n][];
            for (int i = 0; i < n; i++) {
              ids[i] = plan.rowIdsOfBatch(order, (next + i) % plan.batchesPerRank());
            }
            long s = System.nanoTime();
            long cs = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
              e.getValue().run(ids[i]);
            }
            if (rep >= 0) {
              times.get(e.getKey())[rep] = (System.nanoTime() - s) / 1e3 / n;
              cpu.get(e.getKey())[rep] = (mx.getCurrentThreadCpuTime() - cs) / 1e3 / n;
            }
          }
          next += batches;
        }
        double bound = RecsysTakeBenchmark.median(times.values().iterator().next());
        double boundCpu = RecsysTakeBenchmark.median(cpu.values().iterator().next());
        System.out.printf("one %d-row batch, %d columns; median of %d repeats (ids given; the shm path also computes"
            + " them):%n", BATCH, COLUMNS.size(), repeats);
        for (Map.Entry<String, double[]> e : times.entrySet()) {
          double us = RecsysTakeBenchmark.median(e.getValue());
          double cus = RecsysTakeBenchmark.median(cpu.get(e.getKey()));
          System.out.printf("  %-38s %8.1f us/batch wall %10.0f samples/s  %.2fx bound | %8.1f us CPU  %.2fx bound%n",
              e.getKey(), us, BATCH * 1e6 / us, bound / us, cus, boundCpu / cus);
        }
        System.out.printf("decoded cache: %d MB held, %d chunk loads, %d evictions%n",
            ds.decodedColumns().heldBytes() >> 20, ds.decodedColumns().loads(), ds.decodedColumns().evictions());
      }
    } finally {
      if (keep == null) {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
      }
    }
  }

  /** Writes the recsys table with the writer's default options (if not there yet). */
  private static void write(Path file, long rows, BufferAllocator alloc) throws IOException {
    if (Files.exists(file)) {
      return;
    }
    RecsysGenerator gen = new RecsysGenerator(rows, 42);
    try (VectorSchemaRoot root = gen.newRoot(alloc);
        WeftWriter w = WeftWriter.open(file, RecsysGenerator.schema(), null, WriterOptions.builder().build(), alloc)) {
      for (int b = 0; b < gen.numBatches(); b++) {
        gen.fill(root, b);
        w.write(root);
      }
    }
  }

  /** The 50 columns as Java arrays (read with a scan). */
  private static InRam load(Path file, long rows, BufferAllocator alloc) throws IOException {
    InRam r = new InRam();
    int n = Math.toIntExact(rows);
    for (int i = 0; i < r.dense.length; i++) {
      r.dense[i] = new float[n];
    }
    for (int i = 0; i < r.cat.length; i++) {
      r.cat[i] = new long[n];
    }
    int d = RecsysGenerator.EMBEDDING_DIM;
    r.emb = new float[n * d];
    r.label = new byte[n];
    try (dev.weft.reader.WeftReader reader = dev.weft.reader.WeftReader.open(file, alloc);
        WeftScanner s = reader.scan(COLUMNS, 8192)) {
      int at = 0;
      while (s.hasNext()) {
        try (VectorSchemaRoot b = s.nextBatch()) {
          int m = b.getRowCount();
          for (int k = 0; k < r.dense.length; k++) {
            Float4Vector v = (Float4Vector) b.getVector("f" + k);
            for (int i = 0; i < m; i++) {
              r.dense[k][at + i] = v.get(i);
            }
          }
          for (int k = 0; k < r.cat.length; k++) {
            BigIntVector v = (BigIntVector) b.getVector("c" + k);
            for (int i = 0; i < m; i++) {
              r.cat[k][at + i] = v.get(i);
            }
          }
          Float4Vector e = (Float4Vector) ((FixedSizeListVector) b.getVector("embedding")).getDataVector();
          for (int i = 0; i < m * d; i++) {
            r.emb[at * d + i] = e.get(i);
          }
          TinyIntVector l = (TinyIntVector) b.getVector("label");
          for (int i = 0; i < m; i++) {
            r.label[at + i] = l.get(i);
          }
          at += m;
        }
      }
    }
    return r;
  }
}
