package dev.weft.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WriterOptions;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decoded-column gather ({@link DecodedColumns}, {@link DirectBatchWriter}): batches equal
 * the reader's take path (nulls, fixed-size lists, several files, chunk edges, repeats), the
 * shm server serves them, other columns fall back, and the cache stays within its budget.
 */
class DirectBatchWriterTest {
  /** Small chunks (1,024 rows), so that small files span several. */
  private static final int SHIFT = 10;
  private static final int CHUNK = 1 << SHIFT;

  @TempDir Path dir;

  /** Every fixed-width primitive of the type catalog, plus fixed-size lists with nullable and non-null children. */
  static Schema fixedSchema() {
    List<Field> fields = new ArrayList<>();
    for (Field f : RandomArrow.allTypesSchema().getFields()) {
      if (DecodedColumns.supported(f)) {
        fields.add(f);
      }
    }
    Field f32 = Field.nullable("item", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
    fields.add(new Field("emb", FieldType.nullable(new ArrowType.FixedSizeList(4)), List.of(f32)));
    Field i64 = Field.notNullable("item", new ArrowType.Int(64, true));
    fields.add(new Field("trip", FieldType.notNullable(new ArrowType.FixedSizeList(3)), List.of(i64)));
    fields.add(Field.notNullable("label", new ArrowType.Int(8, true)));
    return new Schema(fields);
  }

  private static long[] randomIds(SplittableRandom rnd, long rows, int n) {
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = rnd.nextLong(rows);
    }
    return ids;
  }

  @Test
  void gatheredBatchesEqualTheTakePath() throws Exception {
    Schema schema = fixedSchema();
    assertTrue(schema.getFields().size() >= 10, "fixed columns: " + schema);
    WriterOptions opts = WriterOptions.builder().maxRowGroupRows(3000).build();
    try (BufferAllocator alloc = new RootAllocator();
        Fixtures.Expected exp = new Fixtures.Expected()) {
      // several chunks per file, a file shorter than a chunk, an empty file
      exp.add(dir.resolve("d/a.weft"), schema, 2 * CHUNK + 77, 1, opts, alloc);
      exp.add(dir.resolve("d/b.weft"), schema, 0, 2, opts, alloc);
      exp.add(dir.resolve("d/c.weft"), schema, 1000, 3, opts, alloc);
      try (WeftDataset ds = WeftDataset.open(exp.paths, alloc, DecodedColumns.DEFAULT_BYTES, SHIFT)) {
        BatchAssembler fast = new BatchAssembler(ds, null);
        BatchAssembler take = new BatchAssembler(ds, null, false);
        assertTrue(fast.gathersDecoded());
        assertFalse(take.gathersDecoded());
        SplittableRandom rnd = new SplittableRandom(7);
        for (int round = 0; round < 20; round++) {
          int n = round == 0 ? 1 : 1 + rnd.nextInt(300);
          long[] ids = randomIds(rnd, ds.numRows(), n);
          if (n > 2) {
            ids[n - 1] = ids[0]; // a repeat
            ids[1] = CHUNK - 1; // chunk edges
            ids[2] = CHUNK;
          }
          try (VectorSchemaRoot a = fast.assemble(ids);
              VectorSchemaRoot b = take.assemble(ids)) {
            ArrowAssert.assertRootEquals(b, a);
            exp.assertRows(ids, a);
          }
        }
        // consecutive rows (no shuffle; shuffled blocks): copied as runs; across chunk and file
        // edges, reversed, with a repeat inside, and blocks of 16 in shuffled order
        long total = ds.numRows();
        List<long[]> runs = new java.util.ArrayList<>();
        runs.add(java.util.stream.LongStream.range(0, total).toArray());
        runs.add(java.util.stream.LongStream.range(CHUNK - 40, CHUNK + 40).toArray());
        runs.add(java.util.stream.LongStream.range(0, 200).map(i -> total - 1 - i).toArray());
        long[] repeat = java.util.stream.LongStream.range(100, 164).toArray();
        repeat[30] = repeat[29];
        runs.add(repeat);
        long[] blocks = new long[256];
        for (int b = 0; b < 16; b++) {
          long first = 16L * ((b * 7) % 16) + 2 * CHUNK - 100;
          for (int i = 0; i < 16; i++) {
            blocks[16 * b + i] = first + i;
          }
        }
        runs.add(blocks);
        for (long[] run : runs) {
          try (VectorSchemaRoot a = fast.assemble(run);
              VectorSchemaRoot b = take.assemble(run)) {
            ArrowAssert.assertRootEquals(b, a);
            exp.assertRows(run, a);
          }
        }
        // projections and the message written into foreign memory, as into a ring slot
        BatchAssembler proj = new BatchAssembler(ds, List.of("emb", "label", "int32"));
        DirectBatchWriter w = proj.direct();
        assertNotNull(w);
        long[] ids = randomIds(rnd, ds.numRows(), 256);
        long len = w.messageLength(ids.length);
        ByteBuffer mem = ByteBuffer.allocateDirect((int) len + 64);
        assertEquals(len, w.write(ids, MemoryUtil.getByteBufferAddress(mem), len));
        assertEquals(-1, mem.order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0), "continuation marker");
        assertThrows(IllegalArgumentException.class, () -> w.write(ids, MemoryUtil.getByteBufferAddress(mem), len - 1));
        assertThrows(IndexOutOfBoundsException.class,
            () -> proj.assemble(new long[] {0, ds.numRows()}));
        try (VectorSchemaRoot a = proj.assemble(ids)) {
          exp.assertRows(ids, a);
        }
        assertTrue(ds.decodedColumns().heldBytes() <= ds.decodedColumns().capacityBytes());
        assertTrue(ds.decodedColumns().loads() > 0);
      }
    }
  }

  @Test
  void otherColumnsAndSmallBudgetsFallBack() throws Exception {
    try (BufferAllocator alloc = new RootAllocator();
        Fixtures.Expected exp = new Fixtures.Expected()) {
      exp.add(dir.resolve("s/a.weft"), Fixtures.simpleSchema(), 500, 1, Fixtures.small(), alloc);
      try (WeftDataset ds = WeftDataset.open(exp.paths, alloc)) {
        assertFalse(new BatchAssembler(ds, null).gathersDecoded(), "utf8 and bool columns");
        assertFalse(new BatchAssembler(ds, List.of("id", "name")).gathersDecoded());
        BatchAssembler fixed = new BatchAssembler(ds, List.of("f64", "id", "i32"));
        assertTrue(fixed.gathersDecoded());
        long[] ids = {499, 0, 17, 17, 250};
        try (VectorSchemaRoot a = fixed.assemble(ids)) {
          exp.assertRows(ids, a);
        }
        try (VectorSchemaRoot a = new BatchAssembler(ds, null).assemble(ids)) {
          exp.assertRows(ids, a);
        }
      }
      // a budget the columns do not fit, and none at all: the reader's take
      try (WeftDataset ds = WeftDataset.open(exp.paths, alloc, 1000)) {
        BatchAssembler a = new BatchAssembler(ds, List.of("f64", "id"));
        assertFalse(a.gathersDecoded());
        long[] ids = {3, 2, 1};
        try (VectorSchemaRoot r = a.assemble(ids)) {
          exp.assertRows(ids, r);
        }
      }
      try (WeftDataset ds = WeftDataset.open(exp.paths, alloc, 0)) {
        assertFalse(new BatchAssembler(ds, List.of("id")).gathersDecoded());
      }
      assertThrows(IllegalArgumentException.class, () -> WeftDataset.open(exp.paths, alloc, -1));
    }
  }

  @Test
  void theCacheStaysWithinItsBudget() throws Exception {
    Schema schema = new Schema(List.of(Field.nullable("v", new ArrowType.Int(64, true))));
    int rows = 20 * CHUNK;
    try (BufferAllocator alloc = new RootAllocator();
        Fixtures.Expected exp = new Fixtures.Expected()) {
      exp.add(dir.resolve("b/a.weft"), schema, rows, 5, WriterOptions.builder().build(), alloc);
      try (WeftDataset ds = WeftDataset.open(exp.paths, alloc)) {
        // a cache of about 3 chunks, read all over: values stay right, memory stays bounded
        long budget = 3L * CHUNK * 8 + 4096;
        DecodedColumns cache = new DecodedColumns(ds, budget, SHIFT);
        DecodedColumns.Column col = cache.column("v");
        org.apache.arrow.vector.BigIntVector expected = (org.apache.arrow.vector.BigIntVector) exp.files.get(0).getVector(0);
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < 2000; i++) {
          int r = rnd.nextInt(rows);
          DecodedColumns.Chunk ch = col.chunk(0, r);
          int o = r & (CHUNK - 1);
          boolean valid = ch.validity == null || (ch.validity[o >>> 3] & (1 << (o & 7))) != 0;
          assertEquals(!expected.isNull(r), valid, "validity of row " + r);
          if (valid) {
            assertEquals(expected.get(r), MemoryUtil.getLong(ch.values, 8 * o), "row " + r);
          }
          assertTrue(cache.heldBytes() <= budget, "held " + cache.heldBytes() + " > " + budget);
        }
        assertTrue(cache.evictions() > 0);
        assertTrue(cache.loads() > 20);
        // the whole column does not fit: no gather from this cache
        assertNull(DirectBatchWriter.create(ds, cache, schema));
      }
    }
  }

  @Test
  void theShmServerServesGatheredBatches() throws Exception {
    Schema schema = fixedSchema();
    try (BufferAllocator alloc = new RootAllocator();
        Fixtures.Expected exp = new Fixtures.Expected()) {
      exp.add(dir.resolve("m/a.weft"), schema, 3000, 11, WriterOptions.builder().build(), alloc);
      exp.add(dir.resolve("m/b.weft"), schema, 2000, 12, WriterOptions.builder().build(), alloc);
      try (WeftDataset ds = WeftDataset.open(exp.paths, alloc, DecodedColumns.DEFAULT_BYTES, SHIFT);
          LoaderServer server = LoaderServer.start(ds,
              LoaderTestSupport.smallRing().slotSize(1 << 20).build());
          WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), alloc)) {
        StreamRequest req = StreamRequest.builder().batchSize(64).shuffle(ShuffleOptions.global(5)).build();
        EpochOrder order = EpochOrder.create(ds, req.shuffle(), req.epoch());
        ShardPlan plan = ShardPlan.create(ds.numRows(), 0, 1, 64);
        BatchAssembler take = new BatchAssembler(ds, null, false);
        WeftLoaderClient.Stream s = c.openStream(req);
        int got = 0;
        for (WeftBatch next = s.next(); next != null; next = s.next(), got++) {
          try (WeftBatch b = next;
              VectorSchemaRoot expected = take.assemble(plan.rowIdsOfBatch(order, b.tag().batchIndex()))) {
            ArrowAssert.assertRootEquals(expected, b.root());
          }
        }
        assertEquals(plan.batchesPerRank(), got);
      }
    }
  }

  @Test
  void preloadReadsEveryChunkAndServeMainTakesTheOptions() throws Exception {
    try (BufferAllocator alloc = new RootAllocator();
        Fixtures.Expected exp = new Fixtures.Expected()) {
      exp.add(dir.resolve("p/a.weft"), Fixtures.simpleSchema(), 3000, 1, WriterOptions.builder().build(), alloc);
      exp.add(dir.resolve("p/b.weft"), Fixtures.simpleSchema(), 1500, 2, WriterOptions.builder().build(), alloc);
      try (WeftDataset ds = WeftDataset.open(exp.paths, alloc, DecodedColumns.DEFAULT_BYTES, SHIFT)) {
        String line = ServeRunner.preload(ds);
        assertTrue(line.startsWith("preloaded 3 fixed-width columns"), line);
        // id, i32, f64: 3 chunks of file a, 2 of file b, each
        assertEquals(3 * (3 + 2), ds.decodedColumns().loads());
        BatchAssembler a = new BatchAssembler(ds, List.of("f64", "id"));
        long[] ids = {4499, 0, 3000, 2999};
        try (VectorSchemaRoot r = a.assemble(ids)) {
          exp.assertRows(ids, r);
        }
        assertEquals(15, ds.decodedColumns().loads(), "nothing read again");
      }
      try (WeftDataset ds = WeftDataset.open(exp.paths, alloc, 1000)) {
        assertTrue(ServeRunner.preload(ds).startsWith("not preloading: the fixed-width columns exceed"));
        assertEquals(0, ds.decodedColumns().loads());
      }
    }
    ServeMain.Args args = ServeMain.parse(new String[] {"x.weft", "--decoded-cache", "64M", "--preload", "false"});
    assertEquals(64L << 20, args.options().decodedCacheBytes());
    assertFalse(args.options().preload());
    ServeMain.Args defaults = ServeMain.parse(new String[] {"x.weft"});
    assertEquals(DecodedColumns.DEFAULT_BYTES, defaults.options().decodedCacheBytes());
    assertTrue(defaults.options().preload());
    assertThrows(IllegalArgumentException.class, () -> ServeMain.parse(new String[] {"x", "--preload", "maybe"}));
    assertThrows(IllegalArgumentException.class, () -> ServeMain.parse(new String[] {"x", "--decoded-cache", "-1"}));
  }
}
