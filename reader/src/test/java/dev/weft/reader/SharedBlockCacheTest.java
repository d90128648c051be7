package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WriterOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A block cache shared by readers ({@link BlockCache#create}, {@link ReaderOptions#withBlockCache}),
 * eviction under pressure, and the row order take visits fixed-width columns in.
 */
class SharedBlockCacheTest {
  private static final long BASE_SEED = RoundTripTest.BASE_SEED ^ 0x5CA7L;

  @TempDir Path dir;

  private static RoundTripTest.Expected write(Path file, long seed, Codec codec, BufferAllocator alloc)
      throws Exception {
    Random rnd = new Random(seed);
    RoundTripTest.Expected e = RoundTripTest.generate(RandomArrow.allTypesSchema(),
        RoundTripTest.batchSizes(rnd, 400), seed, alloc, RandomArrow.Options.builder().nullProbability(0.2).build());
    try {
      RoundTripTest.write(file, e, WriterOptions.builder().miniBlockBytes(384).valuesPerMiniBlock(16)
          .targetPageBytes(1024).maxRowGroupRows(53).compression(codec).build(), alloc);
      return e;
    } catch (Exception | Error ex) {
      e.close();
      throw ex;
    }
  }

  private static long[] randomIds(Random rnd, int count, long numRows) {
    long[] ids = new long[count];
    for (int i = 0; i < count; i++) {
      ids[i] = (long) (rnd.nextDouble() * numRows);
    }
    return ids;
  }

  @Test
  void readersSharingOneCacheReadCorrectRowsWithinItsBudget() throws Exception {
    long seed = BASE_SEED;
    System.out.println("SharedBlockCacheTest.readersSharingOneCacheReadCorrectRowsWithinItsBudget seed=" + seed);
    Random rnd = new Random(seed);
    BlockCache shared = BlockCache.create(64 << 10);
    ReaderOptions options = ReaderOptions.defaults().withBlockCache(shared);
    assertSame(shared, options.blockCache());
    assertEquals(64 << 10, options.blockCacheBytes());
    try (BufferAllocator alloc = new RootAllocator();
        RoundTripTest.Expected a = write(dir.resolve("a.weft"), seed, Codec.ZSTD, alloc);
        RoundTripTest.Expected b = write(dir.resolve("b.weft"), seed + 1, Codec.NONE, alloc);
        WeftReader ra = WeftReader.open(dir.resolve("a.weft"), alloc, options);
        WeftReader rb = WeftReader.open(dir.resolve("b.weft"), alloc, options)) {
      for (int round = 0; round < 5; round++) {
        long[] ida = randomIds(rnd, 150, a.numRows);
        long[] idb = randomIds(rnd, 150, b.numRows);
        try (VectorSchemaRoot ga = ra.take(ida, null); VectorSchemaRoot gb = rb.take(idb, null)) {
          a.assertRows(ga, null, ida, "seed=" + seed + " file a round " + round);
          b.assertRows(gb, null, idb, "seed=" + seed + " file b round " + round);
        }
        assertTrue(shared.heldBytes() > 0, "the shared cache holds blocks of both readers");
        assertTrue(shared.heldBytes() <= shared.capacityBytes(), shared.heldBytes() + " bytes held");
      }
    }
  }

  @Test
  void tinyCacheEvictsWhileEightThreadsTake() throws Exception {
    long seed = BASE_SEED + 1;
    System.out.println("SharedBlockCacheTest.tinyCacheEvictsWhileEightThreadsTake seed=" + seed);
    Path file = dir.resolve("t.weft");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (BufferAllocator alloc = new RootAllocator();
        RoundTripTest.Expected e = write(file, seed, Codec.ZSTD, alloc);
        WeftReader r = WeftReader.open(file, alloc, ReaderOptions.defaults().withBlockCacheBytes(8 << 10))) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        long threadSeed = seed * 31 + t;
        done.add(pool.submit(() -> {
          Random rnd = new Random(threadSeed);
          for (int i = 0; i < 20; i++) {
            long[] ids = randomIds(rnd, 1 + rnd.nextInt(60), e.numRows);
            try (VectorSchemaRoot got = r.take(ids, null)) {
              e.assertRows(got, null, ids, "seed=" + threadSeed + " take " + i);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void negativeCacheSizeIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> BlockCache.create(-1));
    assertEquals(0, BlockCache.create(0).capacityBytes());
  }

  @Test
  void ascendingOrderSortsIndexesByRowKeepingTiesInOrder() {
    assertArrayEquals(new int[0], BatchBuilder.ascendingOrder(new long[0]));
    assertArrayEquals(new int[] {0, 1, 2}, BatchBuilder.ascendingOrder(new long[] {1, 1, 9}));
    assertArrayEquals(new int[] {2, 0, 3, 1}, BatchBuilder.ascendingOrder(new long[] {5, 9, 0, 5}));
    // rows too large to pack with their index: the general sort
    long big = Long.MAX_VALUE - 3;
    assertArrayEquals(new int[] {1, 2, 0}, BatchBuilder.ascendingOrder(new long[] {big, 7, big - 1}));
    Random rnd = new Random(BASE_SEED);
    long[] rows = randomIds(rnd, 1000, 300);
    int[] order = BatchBuilder.ascendingOrder(rows);
    for (int k = 1; k < order.length; k++) {
      long prev = rows[order[k - 1]];
      long cur = rows[order[k]];
      assertTrue(prev < cur || (prev == cur && order[k - 1] < order[k]), "position " + k);
    }
  }

  @Test
  void sharedDictionariesStayWithinTheCachesBudget() throws Exception {
    // a long-running reader (the loader server) touches every column chunk's dictionary in turn:
    // they are cached within the block cache's budget, evicted and read again, never kept all
    try (BufferAllocator alloc = new RootAllocator();
        VectorSchemaRoot data = EncodingColumns.generate(40_000, 11, alloc)) {
      Path file = dir.resolve("dicts.weft");
      try (dev.weft.writer.WeftWriter w = dev.weft.writer.WeftWriter.open(file, data.getSchema(),
          WriterOptions.builder().compression(dev.weft.format.Codec.NONE).maxRowGroupRows(6000).build())) {
        w.write(data);
      }
      BlockCache tiny = BlockCache.create(48 << 10);
      try (WeftReader r = WeftReader.open(file, alloc, ReaderOptions.defaults().withBlockCache(tiny))) {
        Random rnd = new Random(BASE_SEED + 7);
        for (int round = 0; round < 4; round++) {
          long[] ids = randomIds(rnd, 200, data.getRowCount());
          try (VectorSchemaRoot got = r.take(ids, null)) {
            for (int i = 0; i < ids.length; i++) {
              for (org.apache.arrow.vector.FieldVector v : got.getFieldVectors()) {
                Object want = data.getVector(v.getName()).getObject((int) ids[i]);
                assertTrue(java.util.Objects.deepEquals(want, v.getObject(i)), v.getName() + " row " + ids[i]);
              }
            }
          }
          assertTrue(tiny.heldBytes() <= tiny.capacityBytes(), tiny.heldBytes() + " bytes held");
        }
        long decoded = r.stats().dictionariesDecoded();
        long inFile = 0;
        for (int c = 0; c < data.getSchema().getFields().size(); c++) {
          for (var perNode : r.columnMeta(c).dictionariesPerNode()) {
            inFile += perNode.size();
          }
        }
        assertTrue(inFile > 0, "the file has shared dictionaries");
        // more decodes than dictionaries: evicted ones were read again (none is kept for good)
        assertTrue(decoded > inFile, decoded + " dictionaries decoded, " + inFile + " in the file");
        System.out.println("SharedBlockCacheTest.sharedDictionariesStayWithinTheCachesBudget: " + decoded
            + " dictionaries decoded, " + tiny.heldBytes() + " bytes held");
      }
    }
  }
}
