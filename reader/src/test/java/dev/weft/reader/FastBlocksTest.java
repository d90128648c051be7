package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random take through {@link FastBlocks}: plain and FOR bit-packed blocks read by address, of
 * every width and bit width (0, odd, 64, values at the end of the packed bytes), ALP floats,
 * dictionary codes and byte-stream-split floats, equal the data.
 */
class FastBlocksTest {
  private static final long BASE_SEED = RoundTripTest.BASE_SEED ^ 0xFA57L;

  @TempDir Path dir;

  private static Field notNull(String name, ArrowType type) {
    return new Field(name, FieldType.notNullable(type), null);
  }

  @Test
  void takesThroughFastEntriesEqualTheData() throws Exception {
    long seed = BASE_SEED;
    System.out.println("FastBlocksTest.takesThroughFastEntriesEqualTheData seed=" + seed);
    Random rnd = new Random(seed);
    int rows = 5000;
    Schema schema = new Schema(List.of(
        notNull("narrow", new ArrowType.Int(64, true)), // FOR, a few bits
        notNull("wide", new ArrowType.Int(64, true)), // full range: 64 bits or plain
        notNull("odd", new ArrowType.Int(32, true)), // FOR, 13 bits
        notNull("constant", new ArrowType.Int(64, true)), // not a fast layout
        notNull("small", new ArrowType.Int(16, true)),
        notNull("tiny", new ArrowType.Int(8, true)),
        new Field("nullable", FieldType.nullable(new ArrowType.Int(64, true)), null), // validity: slow path
        notNull("decimals", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)), // ALP
        notNull("doubles", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), // ALP
        notNull("ids", new ArrowType.Int(64, true)), // few distinct far-apart values: a dictionary
        notNull("noisy", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)), // byte-stream-split
        notNull("noisyDoubles", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))));
    long[][] expected = new long[12][rows];
    long[] idValues = {rnd.nextLong(), rnd.nextLong(), rnd.nextLong(), 7, -3};
    Path file = dir.resolve("fast.weft");
    try (BufferAllocator alloc = new RootAllocator()) {
      try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc)) {
        root.allocateNew();
        for (int i = 0; i < rows; i++) {
          expected[0][i] = 1000 + rnd.nextInt(7);
          expected[1][i] = rnd.nextLong();
          expected[2][i] = -5 + rnd.nextInt(1 << 13);
          expected[3][i] = 42;
          expected[4][i] = (short) rnd.nextInt();
          expected[5][i] = (byte) rnd.nextInt(100);
          expected[6][i] = rnd.nextInt(50);
          ((BigIntVector) root.getVector(0)).setSafe(i, expected[0][i]);
          ((BigIntVector) root.getVector(1)).setSafe(i, expected[1][i]);
          ((IntVector) root.getVector(2)).setSafe(i, (int) expected[2][i]);
          ((BigIntVector) root.getVector(3)).setSafe(i, expected[3][i]);
          ((SmallIntVector) root.getVector(4)).setSafe(i, (short) expected[4][i]);
          ((TinyIntVector) root.getVector(5)).setSafe(i, (byte) expected[5][i]);
          float dec = Math.round(rnd.nextGaussian() * 10000) / 100f;
          expected[7][i] = Float.floatToRawIntBits(dec);
          ((Float4Vector) root.getVector(7)).setSafe(i, dec);
          double dbl = Math.round(rnd.nextDouble() * 1000) / 1000.0;
          expected[8][i] = Double.doubleToRawLongBits(dbl);
          ((Float8Vector) root.getVector(8)).setSafe(i, dbl);
          expected[9][i] = idValues[rnd.nextInt(idValues.length)];
          ((BigIntVector) root.getVector(9)).setSafe(i, expected[9][i]);
          float noisy = (float) (rnd.nextGaussian() * 3 + 1);
          expected[10][i] = Float.floatToRawIntBits(noisy);
          ((Float4Vector) root.getVector(10)).setSafe(i, noisy);
          double noisyDouble = rnd.nextGaussian() * 1e-3;
          expected[11][i] = Double.doubleToRawLongBits(noisyDouble);
          ((Float8Vector) root.getVector(11)).setSafe(i, noisyDouble);
          if (i % 7 == 3) {
            ((BigIntVector) root.getVector(6)).setNull(i);
          } else {
            ((BigIntVector) root.getVector(6)).setSafe(i, expected[6][i]);
          }
        }
        root.setRowCount(rows);
        try (WeftWriter w = WeftWriter.open(file, schema, WriterOptions.builder().compression(Codec.NONE)
            .miniBlockBytes(1024).valuesPerMiniBlock(100).build())) {
          w.write(root);
        }
      }
      try (WeftReader r = WeftReader.open(file, alloc)) {
        for (int round = 0; round < 3; round++) { // the first round registers, later ones read fast
          long[] ids = new long[700];
          for (int i = 0; i < ids.length; i++) {
            ids[i] = i < 3 ? rows - 1 - i : rnd.nextInt(rows);
          }
          ids[10] = ids[11]; // a duplicate
          try (VectorSchemaRoot got = r.take(ids, null)) {
            for (int i = 0; i < ids.length; i++) {
              int row = (int) ids[i];
              String at = "round " + round + ", output " + i + ", row " + row;
              assertEquals(expected[0][row], ((BigIntVector) got.getVector(0)).get(i), at);
              assertEquals(expected[1][row], ((BigIntVector) got.getVector(1)).get(i), at);
              assertEquals(expected[2][row], ((IntVector) got.getVector(2)).get(i), at);
              assertEquals(expected[3][row], ((BigIntVector) got.getVector(3)).get(i), at);
              assertEquals(expected[4][row], ((SmallIntVector) got.getVector(4)).get(i), at);
              assertEquals(expected[5][row], ((TinyIntVector) got.getVector(5)).get(i), at);
              assertEquals(expected[7][row], Float.floatToRawIntBits(((Float4Vector) got.getVector(7)).get(i)), at);
              assertEquals(expected[8][row], Double.doubleToRawLongBits(((Float8Vector) got.getVector(8)).get(i)), at);
              assertEquals(expected[9][row], ((BigIntVector) got.getVector(9)).get(i), at);
              assertEquals(expected[10][row], Float.floatToRawIntBits(((Float4Vector) got.getVector(10)).get(i)), at);
              assertEquals(expected[11][row], Double.doubleToRawLongBits(((Float8Vector) got.getVector(11)).get(i)),
                  at);
              BigIntVector nullable = (BigIntVector) got.getVector(6);
              if (row % 7 == 3) {
                assertTrue(nullable.isNull(i), at);
              } else {
                assertEquals(expected[6][row], nullable.get(i), at);
              }
            }
            assertEquals(ids.length / 7 + 2, got.getVector(6).getNullCount(), 100, "null count is plausible");
          }
        }
        // the fast entries were used: narrow and odd have FOR blocks, the nullable column none
        List<Integer> fastTags = new ArrayList<>();
        for (int c : new int[] {0, 2, 6, 7, 8, 9, 10, 11}) {
          FastBlocks f = r.column(c).nodes()[0].fast();
          int fastCount = 0;
          StringBuilder tags = new StringBuilder();
          for (int g = 0; g < 50; g++) {
            fastCount += f.tag(g) >= FastBlocks.PLAIN ? 1 : 0;
            tags.append(f.tag(g));
          }
          System.out.println("FastBlocksTest: column " + r.columnName(c) + " block tags " + tags);
          fastTags.add(fastCount);
        }
        assertTrue(fastTags.get(0) > 0 && fastTags.get(1) > 0, "FOR blocks read by address: " + fastTags);
        assertEquals(0, fastTags.get(2), "blocks with nulls take the general path");
      }
    }
  }

  /** Gaussian floats in default-sized blocks: byte-stream-split with a dictionary of exponents. */
  @Test
  void byteStreamSplitFloatsEqualTheData() throws Exception {
    long seed = BASE_SEED + 1;
    System.out.println("FastBlocksTest.byteStreamSplitFloatsEqualTheData seed=" + seed);
    Random rnd = new Random(seed);
    int rows = 20000;
    Schema schema = new Schema(List.of(notNull("g", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
        notNull("d", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))));
    float[] g = new float[rows];
    double[] d = new double[rows];
    Path file = dir.resolve("bss.weft");
    try (BufferAllocator alloc = new RootAllocator()) {
      try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc)) {
        root.allocateNew();
        for (int i = 0; i < rows; i++) {
          g[i] = (float) (rnd.nextGaussian() * 2 + 0.5);
          d[i] = rnd.nextGaussian() * 0.1;
          ((Float4Vector) root.getVector(0)).setSafe(i, g[i]);
          ((Float8Vector) root.getVector(1)).setSafe(i, d[i]);
        }
        root.setRowCount(rows);
        try (WeftWriter w = WeftWriter.open(file, schema, WriterOptions.builder().compression(Codec.NONE).build())) {
          w.write(root);
        }
      }
      try (WeftReader r = WeftReader.open(file, alloc)) {
        for (int round = 0; round < 2; round++) {
          long[] ids = new long[2000];
          for (int i = 0; i < ids.length; i++) {
            ids[i] = i < 2 ? rows - 1 - i : rnd.nextInt(rows);
          }
          try (VectorSchemaRoot got = r.take(ids, null)) {
            for (int i = 0; i < ids.length; i++) {
              int row = (int) ids[i];
              assertEquals(Float.floatToRawIntBits(g[row]), Float.floatToRawIntBits(((Float4Vector) got.getVector(0)).get(i)),
                  "round " + round + ", row " + row);
              assertEquals(Double.doubleToRawLongBits(d[row]),
                  Double.doubleToRawLongBits(((Float8Vector) got.getVector(1)).get(i)), "round " + round + ", row " + row);
            }
          }
        }
        // with a cache of a few blocks, entries that keep arrays are dropped with their blocks
        try (WeftReader small = WeftReader.open(file, alloc, ReaderOptions.defaults().withBlockCacheBytes(64 << 10))) {
          long[] ids = new long[3000];
          for (int i = 0; i < ids.length; i++) {
            ids[i] = rnd.nextInt(rows);
          }
          try (VectorSchemaRoot got = small.take(ids, null)) {
            for (int i = 0; i < ids.length; i++) {
              int row = (int) ids[i];
              assertEquals(Float.floatToRawIntBits(g[row]), Float.floatToRawIntBits(((Float4Vector) got.getVector(0)).get(i)),
                  "small cache, row " + row);
              assertEquals(Double.doubleToRawLongBits(d[row]),
                  Double.doubleToRawLongBits(((Float8Vector) got.getVector(1)).get(i)), "small cache, row " + row);
            }
          }
          int pinned = 0;
          for (int c = 0; c < 2; c++) {
            FastBlocks f = small.column(c).nodes()[0].fast();
            for (int b = 0; b < small.nodeStats(c).get(0).blocks(); b++) {
              pinned += f.aux(b) != null ? 1 : 0;
            }
          }
          // 64 KiB holds at most 4 decoded 16 KiB blocks (views of the mapping cost far less)
          assertTrue(pinned <= (64 << 10) / BlockCache.VIEW_COST, pinned + " entries keep arrays");
          System.out.println("FastBlocksTest: " + pinned + " entries keep arrays with a 64 KiB cache");
        }
        for (int c = 0; c < 2; c++) {
          StringBuilder tags = new StringBuilder();
          FastBlocks f = r.column(c).nodes()[0].fast();
          for (int b = 0; b < r.nodeStats(c).get(0).blocks(); b++) {
            tags.append(f.tag(b));
          }
          System.out.println("FastBlocksTest: column " + r.columnName(c) + " block tags " + tags);
        }
      }
    }
  }
}
