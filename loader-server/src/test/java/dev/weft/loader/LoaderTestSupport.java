package dev.weft.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** Datasets, servers and checks shared by the loader-server transport tests. */
final class LoaderTestSupport {
  private LoaderTestSupport() {}

  /** A small, fast ring for tests: 32 slots of 64 KiB in /dev/shm. */
  static LoaderServerOptions.Builder smallRing() {
    return LoaderServerOptions.builder().slots(32).slotSize(64 << 10).threads(2);
  }

  /** {@code id: int64 = global row}, {@code x: float64 = id / 2}, {@code s: utf8 = "r<id>"}. */
  static Schema idSchema() {
    return new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)),
        Field.nullable("x", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
        Field.nullable("s", ArrowType.Utf8.INSTANCE)));
  }

  /** Writes rows {@code [from, to)} of the id schema to {@code file}. */
  static void writeIds(Path file, long from, long to, BufferAllocator alloc) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    WriterOptions opts = WriterOptions.builder().maxRowGroupRows(300).targetPageBytes(4096).miniBlockBytes(1024)
        .build();
    try (WeftWriter w = WeftWriter.open(file, idSchema(), null, opts, alloc);
        VectorSchemaRoot root = VectorSchemaRoot.create(idSchema(), alloc)) {
      int n = (int) (to - from);
      root.allocateNew();
      BigIntVector id = (BigIntVector) root.getVector("id");
      Float8Vector x = (Float8Vector) root.getVector("x");
      VarCharVector s = (VarCharVector) root.getVector("s");
      for (int i = 0; i < n; i++) {
        id.setSafe(i, from + i);
        x.setSafe(i, (from + i) / 2.0);
        s.setSafe(i, ("r" + (from + i)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      root.setRowCount(n);
      w.write(root);
    }
  }

  /** A 1,000-row id dataset in two files under {@code dir}/ids (written on first use). */
  static WeftDataset idDataset(Path dir, BufferAllocator alloc) throws IOException {
    Path d = dir.resolve("ids");
    if (!Files.exists(d)) {
      writeIds(d.resolve("a.weft"), 0, 400, alloc);
      writeIds(d.resolve("b.weft"), 400, 1000, alloc);
    }
    return WeftDataset.open(List.of(d), alloc);
  }

  /** The ids of a batch of the id schema (or of any batch with an "id" column). */
  static long[] ids(VectorSchemaRoot root) {
    BigIntVector v = (BigIntVector) root.getVector("id");
    long[] out = new long[root.getRowCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i);
    }
    return out;
  }

  /** Checks the derived columns of an id-schema batch. */
  static void checkIdRows(VectorSchemaRoot root) {
    long[] ids = ids(root);
    Float8Vector x = (Float8Vector) root.getVector("x");
    VarCharVector s = (VarCharVector) root.getVector("s");
    for (int i = 0; i < ids.length; i++) {
      if (x != null) {
        assertEquals(ids[i] / 2.0, x.get(i), "x of row " + i);
      }
      if (s != null) {
        assertEquals("r" + ids[i], new String(s.get(i), java.nio.charset.StandardCharsets.UTF_8), "s of row " + i);
      }
    }
  }

  /** One received batch, as plain values. */
  record Got(long batchIndex, long firstPosition, long[] ids) {}

  /** Reads a whole stream, checking rows and closing every batch. */
  static List<Got> readAll(WeftLoaderClient c, StreamRequest r) throws IOException {
    List<Got> out = new ArrayList<>();
    try (WeftLoaderClient.Stream s = c.openStream(r)) {
      for (WeftBatch next = s.next(); next != null; next = s.next()) {
        try (WeftBatch b = next) {
          checkIdRows(b.root());
          out.add(new Got(b.tag().batchIndex(), b.tag().firstPosition(), ids(b.root())));
        }
      }
      assertEquals(s.numBatches(), out.size(), "batches of the stream");
    }
    return out;
  }

  /** The expected ids of a rank's batch j, straight from the core. */
  static long[] expectedIds(WeftDataset ds, StreamRequest r, long j) {
    EpochOrder order = EpochOrder.create(ds, r.shuffle(), r.epoch());
    ShardPlan plan = ShardPlan.create(ds.numRows(), r.rank(), r.worldSize(), r.batchSize(), r.tail());
    return plan.rowIdsOfBatch(order, j);
  }

  /** Waits until {@code cond} holds, failing after {@code ms}. */
  static void await(String what, long ms, BooleanSupplier cond) {
    long deadline = System.nanoTime() + ms * 1_000_000;
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for: " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted");
      }
    }
  }

  /** Files of the loader ({@code weft-*}) in a directory whose name contains {@code tag}. */
  static List<Path> weftFiles(Path dir, String tag) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("weft-") && p.getFileName().toString().contains(tag))
          .toList();
    }
  }

  /** Open file descriptors of this process. */
  static long openFds() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }

  /** The {@code weft-<pid>-<hex>} part of a server's file names. */
  static String baseName(LoaderServer server) {
    String f = server.segmentPath().getFileName().toString();
    return f.substring(0, f.length() - ShmRing.SUFFIX.length());
  }
}
