package dev.weft.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WriterOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batches assembled from real files: order, repeats, files, projections, every type, epochs. */
class BatchAssemblerTest {
  @TempDir Path dir;

  private static long[] randomIds(Random rnd, int count, long n) {
    long[] ids = new long[count];
    for (int i = 0; i < count; i++) {
      ids[i] = (long) (rnd.nextDouble() * n);
    }
    if (count > 3) {
      ids[count - 1] = ids[0]; // a repeat
      ids[count - 2] = n - 1; // the last row
    }
    return ids;
  }

  private static long[] range(long from, long to) {
    long[] ids = new long[(int) (to - from)];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = from + i;
    }
    return ids;
  }

  @Test
  void singleFileAllTypesInShuffledOrderWithRepeats() throws Exception {
    Schema schema = RandomArrow.allTypesSchema();
    try (BufferAllocator alloc = new RootAllocator(); Fixtures.Expected e = new Fixtures.Expected()) {
      e.add(dir.resolve("one.weft"), schema, 300, 5, Fixtures.small(), alloc);
      try (WeftDataset ds = WeftDataset.open(List.of(dir), alloc)) {
        BatchAssembler asm = new BatchAssembler(ds, null);
        ArrowAssert.assertSchemaEquals(schema, asm.schema());
        Random rnd = new Random(1);
        for (int trial = 0; trial < 8; trial++) {
          long[] ids = randomIds(rnd, 1 + rnd.nextInt(80), 300);
          try (VectorSchemaRoot b = asm.assemble(ids)) {
            e.assertRows(ids, b);
          }
        }
        // ascending ids without repeats: the take result is returned as is
        long[] sorted = range(17, 90);
        try (VectorSchemaRoot b = asm.assemble(sorted)) {
          e.assertRows(sorted, b);
        }
        try (VectorSchemaRoot b = asm.assemble(new long[0])) {
          assertEquals(0, b.getRowCount());
          ArrowAssert.assertSchemaEquals(schema, b.getSchema());
        }
        assertThrows(IndexOutOfBoundsException.class, () -> asm.assemble(new long[] {3, 300}));
        assertThrows(IndexOutOfBoundsException.class, () -> asm.assemble(new long[] {-1}));
      }
    }
  }

  @Test
  void multipleFilesAllTypesWithProjections() throws Exception {
    Schema schema = RandomArrow.allTypesSchema();
    try (BufferAllocator alloc = new RootAllocator(); Fixtures.Expected e = new Fixtures.Expected()) {
      WriterOptions lz4 = Fixtures.small().toBuilder().compression(Codec.LZ4).build();
      WriterOptions none = Fixtures.small().toBuilder().compression(Codec.NONE).build();
      e.add(dir.resolve("a.weft"), schema, 120, 11, Fixtures.small(), alloc);
      e.add(dir.resolve("b.weft"), schema, 0, 12, Fixtures.small(), alloc);
      e.add(dir.resolve("c.weft"), schema, 1, 13, lz4, alloc);
      e.add(dir.resolve("d.weft"), schema, 95, 14, none, alloc);
      List<String> names = schema.getFields().stream().map(Field::getName).toList();
      try (WeftDataset ds = WeftDataset.open(List.of(dir), alloc)) {
        assertEquals(216, ds.numRows());
        Random rnd = new Random(2);
        List<List<String>> projections = new ArrayList<>();
        projections.add(null);
        projections.add(List.of(names.get(names.size() - 1), names.get(0)));
        for (int p = 0; p < 4; p++) {
          List<String> shuffled = new ArrayList<>(names);
          java.util.Collections.shuffle(shuffled, rnd);
          projections.add(shuffled.subList(0, 1 + rnd.nextInt(8)));
        }
        for (List<String> projection : projections) {
          BatchAssembler asm = new BatchAssembler(ds, projection);
          if (projection != null) {
            assertEquals(projection, asm.schema().getFields().stream().map(Field::getName).toList());
          }
          for (int trial = 0; trial < 4; trial++) {
            long[] ids = randomIds(rnd, 1 + rnd.nextInt(100), 216);
            try (VectorSchemaRoot b = asm.assemble(ids)) {
              assertEquals(asm.schema(), b.getSchema());
              e.assertRows(ids, b);
            }
          }
          long[] across = range(110, 130); // ascending, spanning three files
          try (VectorSchemaRoot b = asm.assemble(across)) {
            e.assertRows(across, b);
          }
        }
        assertThrows(IllegalArgumentException.class, () -> new BatchAssembler(ds, List.of("no_such_column")));
      }
    }
  }

  @Test
  void randomNestedSchemasAcrossFiles() throws Exception {
    for (long seed = 0; seed < 4; seed++) {
      Schema schema = RandomArrow.randomSchema(new Random(seed), 5, 3);
      Path d = dir.resolve("s" + seed);
      try (BufferAllocator alloc = new RootAllocator(); Fixtures.Expected e = new Fixtures.Expected()) {
        e.add(d.resolve("0.weft"), schema, 70, seed * 10 + 1, Fixtures.small(), alloc);
        e.add(d.resolve("1.weft"), schema, 50, seed * 10 + 2, Fixtures.small(), alloc);
        try (WeftDataset ds = WeftDataset.open(List.of(d), alloc)) {
          BatchAssembler asm = new BatchAssembler(ds, null);
          long[] ids = randomIds(new Random(seed), 64, 120);
          try (VectorSchemaRoot b = asm.assemble(ids)) {
            e.assertRows(ids, b);
          }
        }
      }
    }
  }

  @Test
  void anEpochOverRanksReadsEveryRowOnceInOrder() throws Exception {
    try (BufferAllocator alloc = new RootAllocator(); Fixtures.Expected e = new Fixtures.Expected()) {
      e.add(dir.resolve("a.weft"), Fixtures.simpleSchema(), 173, 1, Fixtures.small(), alloc);
      e.add(dir.resolve("b.weft"), Fixtures.simpleSchema(), 211, 2, Fixtures.small(), alloc);
      try (WeftDataset ds = WeftDataset.open(List.of(dir), alloc)) {
        BatchAssembler asm = new BatchAssembler(ds, List.of("id", "name"));
        int world = 2;
        int b = 16;
        for (ShuffleOptions opts : List.of(ShuffleOptions.global(1), ShuffleOptions.block(1, 8, 4))) {
          EpochOrder order = EpochOrder.create(ds, opts, 6);
          BitSet seen = new BitSet();
          for (int r = 0; r < world; r++) {
            ShardPlan plan = ShardPlan.create(ds.numRows(), r, world, b);
            for (long j = 0; j < plan.batchesPerRank(); j++) {
              try (BatchAssembler.Batch batch = asm.assemble(order, plan, j)) {
                long[] ids = plan.rowIdsOfBatch(order, j);
                e.assertRows(ids, batch.root());
                assertEquals(new BatchTag(ds.fingerprint(), 6, j, r + (long) world * b * j), batch.tag());
                for (long id : ids) {
                  assertTrue(!seen.get((int) id), "row " + id + " read twice");
                  seen.set((int) id);
                }
              }
            }
          }
          assertEquals(384 / (world * b) * world * b, seen.cardinality());
        }
      }
    }
  }

  @Test
  void anOrderForOtherDataIsRefused() throws Exception {
    try (BufferAllocator alloc = new RootAllocator(); Fixtures.Expected e = new Fixtures.Expected()) {
      e.add(dir.resolve("a.weft"), Fixtures.simpleSchema(), 50, 1, Fixtures.small(), alloc);
      try (WeftDataset ds = WeftDataset.open(List.of(dir), alloc)) {
        BatchAssembler asm = new BatchAssembler(ds, null);
        EpochOrder foreign = EpochOrder.create(50, EpochOrderTest.FP, ShuffleOptions.global(1), 0);
        ShardPlan plan = ShardPlan.create(50, 0, 1, 10);
        FingerprintMismatchException ex = assertThrows(FingerprintMismatchException.class,
            () -> asm.assemble(foreign, plan, 0));
        assertTrue(ex.getMessage().contains(EpochOrderTest.FP.hex()), ex.getMessage());
        assertTrue(ex.getMessage().contains(ds.fingerprint().hex()), ex.getMessage());
      }
    }
  }

  @Test
  void concurrentAssembly() throws Exception {
    try (BufferAllocator alloc = new RootAllocator(); Fixtures.Expected e = new Fixtures.Expected()) {
      e.add(dir.resolve("a.weft"), Fixtures.simpleSchema(), 400, 1, Fixtures.small(), alloc);
      e.add(dir.resolve("b.weft"), Fixtures.simpleSchema(), 300, 2, Fixtures.small(), alloc);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try (WeftDataset ds = WeftDataset.open(List.of(dir), alloc)) {
        BatchAssembler asm = new BatchAssembler(ds, null);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          int seed = t;
          futures.add(pool.submit(() -> {
            Random rnd = new Random(seed);
            for (int i = 0; i < 25; i++) {
              long[] ids = randomIds(rnd, 32, 700);
              try (VectorSchemaRoot b = asm.assemble(ids)) {
                e.assertRows(ids, b);
              }
            }
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
    }
  }
}
