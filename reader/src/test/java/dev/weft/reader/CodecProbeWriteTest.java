package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer skips the codec on blocks of a node where it has stopped paying (the writer's
 * CodecProbe), and finds it again where the data turns compressible: values are unchanged either way.
 */
class CodecProbeWriteTest {
  @TempDir Path dir;

  private static final Schema SCHEMA = new Schema(List.of(
      Field.nullable("noise", new ArrowType.Int(64, true)),
      Field.nullable("turns", new ArrowType.Int(64, true))));
  private static final int ROWS = 600_000;
  /** Rows of random values in "turns" before it repeats a long period (zstd finds the repeats). */
  private static final int NOISE_ROWS = 300_000;

  private static long noise(long seed, int row) {
    return new SplittableRandom(seed * 1_000_003L + row).nextLong();
  }

  private static long turns(int row) {
    // random-looking 64-bit values: no encoding shrinks them; after NOISE_ROWS they repeat every 700 rows
    return row < NOISE_ROWS ? noise(2, row) : noise(3, row % 700);
  }

  @Test
  void incompressibleBlocksSkipTheCodecAndCompressibleOnesStillUseIt() throws Exception {
    Path file = dir.resolve("probe.weft");
    try (BufferAllocator alloc = new RootAllocator()) {
      try (WeftWriter w = WeftWriter.open(file, SCHEMA, WriterOptions.builder().compression(Codec.ZSTD).build());
          VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, alloc)) {
        int batch = 50_000;
        for (int from = 0; from < ROWS; from += batch) {
          BigIntVector n = (BigIntVector) root.getVector(0);
          BigIntVector t = (BigIntVector) root.getVector(1);
          n.allocateNew(batch);
          t.allocateNew(batch);
          for (int i = 0; i < batch; i++) {
            n.set(i, noise(1, from + i));
            t.set(i, turns(from + i));
          }
          root.setRowCount(batch);
          w.write(root);
        }
      }
      try (WeftReader r = WeftReader.open(file, alloc)) {
        NodeStats noise = r.nodeStats(0).get(0);
        NodeStats turns = r.nodeStats(1).get(0);
        assertEquals(0L, noise.blocksByCodec().getOrDefault(Codec.ZSTD, 0L), noise.toString());
        long compressed = turns.blocksByCodec().getOrDefault(Codec.ZSTD, 0L);
        // the periodic half compresses; the probe finds it within MAX_GAP blocks of where it starts
        assertTrue(compressed > turns.blocks() / 3, turns.toString());
        long row = 0;
        try (WeftScanner s = r.scan(null, 65_536)) {
          while (s.hasNext()) {
            try (VectorSchemaRoot b = s.next()) {
              BigIntVector n = (BigIntVector) b.getVector(0);
              BigIntVector t = (BigIntVector) b.getVector(1);
              for (int i = 0; i < b.getRowCount(); i++, row++) {
                assertEquals(noise(1, (int) row), n.get(i));
                assertEquals(turns((int) row), t.get(i));
              }
            }
          }
        }
        assertEquals(ROWS, row);
        r.verifyColumn(0);
        r.verifyColumn(1);
      }
    }
  }
}
