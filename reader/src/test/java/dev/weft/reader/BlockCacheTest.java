package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.file.Path;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decoded-block cache and the fixed-width fast path change speed, never results. */
class BlockCacheTest {
  @TempDir Path dir;

  @Test
  void repeatedTakesHitTheCacheAndMatchAnUncachedReader() throws Exception {
    long seed = 77;
    try (BufferAllocator alloc = new RootAllocator()) {
      Schema schema = RandomArrow.allTypesSchema();
      int rows = 3000;
      for (Codec codec : Codec.values()) {
        Path file = dir.resolve(codec + ".weft");
        try (VectorSchemaRoot data = RandomArrow.generate(schema, rows, seed, alloc, 0.2)) {
          try (WeftWriter w = WeftWriter.open(file, schema, WriterOptions.builder().compression(codec).build())) {
            w.write(data);
          }
          Random rnd = new Random(seed);
          long[] ids = new long[200];
          int[] expected = new int[ids.length];
          for (int i = 0; i < ids.length; i++) {
            expected[i] = rnd.nextInt(rows);
            ids[i] = expected[i];
          }
          try (WeftReader cached = WeftReader.open(file, alloc);
              WeftReader uncached = WeftReader.open(file, alloc,
                  ReaderOptions.defaults().withBlockCacheBytes(0))) {
            long firstRoundBytes = -1;
            for (int round = 0; round < 3; round++) {
              cached.stats().reset();
              try (VectorSchemaRoot a = cached.take(ids, null); VectorSchemaRoot b = uncached.take(ids, null)) {
                ArrowAssert.assertRowsEqual(data, expected, a);
                ArrowAssert.assertRootEquals(b, a);
              }
              if (round == 0) {
                firstRoundBytes = cached.stats().dataBytesRead();
              } else {
                // repeated takes come from the cache (or, for raw fixed-width values, straight
                // from the mapping, one value at a time)
                assertTrue(cached.stats().dataBytesRead() * 10 < firstRoundBytes,
                    codec + ": a repeated take should be served from the cache: " + cached.stats()
                        + " vs " + firstRoundBytes + " bytes in the first round");
              }
            }
            uncached.stats().reset();
            try (VectorSchemaRoot b = uncached.take(ids, null)) {
              assertTrue(uncached.stats().blocksDecoded() > 0);
            }
          }
        }
      }
    }
  }
}
