package dev.weft.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Random;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.Test;

/**
 * {@link EncodedBlocks#encodeBothWidths}: a plain block of integers encoded with exact and with
 * byte-aligned widths at once gives the encodings {@link EncodedBlocks#encode} gives for each,
 * with and without nulls, for every integer width; other kinds are left to encode.
 */
class EncodedBlocksBothWidthsTest {
  private static ColumnNode node(ArrowType type) throws Exception {
    return ColumnLayout.of(Field.nullable("c", type), Path.of("t.weft")).node(0);
  }

  /** A plain FIXED block: the validity bitmap (every third value null) where asked, then the values. */
  private static MiniBlock block(ColumnNode node, long[] v, boolean nulls) {
    int n = v.length;
    int w = node.byteWidth();
    int prefix = (int) (MiniBlock.expectedRawLength(node, n, nulls) - (long) n * w);
    ByteBuffer b = ByteBuffer.allocate(prefix + n * w).order(ByteOrder.LITTLE_ENDIAN);
    if (nulls) {
      for (int i = 0; i < n; i++) {
        if (i % 3 != 0) {
          b.put(i >>> 3, (byte) (b.get(i >>> 3) | 1 << (i & 7)));
        }
      }
    }
    for (int i = 0; i < n; i++) {
      long x = v[i];
      for (int k = 0; k < w; k++) {
        b.put(prefix + i * w + k, (byte) (x >>> (8 * k)));
      }
    }
    return MiniBlock.parseOwn(b, node, n, nulls);
  }

  @Test
  void integerBlocksGiveBothEncodingsAtOnce() throws Exception {
    Random rnd = new Random(4);
    for (int bits : new int[] {8, 16, 32, 64}) {
      ColumnNode node = node(new ArrowType.Int(bits, true));
      for (int round = 0; round < 12; round++) {
        int n = new int[] {1, 2, 100, 1000, 4096}[rnd.nextInt(5)];
        long[] v = new long[n];
        long x = rnd.nextInt(100);
        for (int i = 0; i < n; i++) {
          x += switch (round % 4) {
            case 0 -> rnd.nextInt(4) == 0 ? 1 : 0; // sorted runs
            case 1 -> rnd.nextInt(7) - 3;
            case 2 -> rnd.nextLong();
            default -> rnd.nextInt(3) == 0 ? 60 : 0;
          };
          v[i] = x;
        }
        for (boolean nulls : new boolean[] {false, true}) {
          MiniBlock plain = block(node, v, nulls);
          EncodedBlocks.Encoded[] both = EncodedBlocks.encodeBothWidths(plain, node);
          EncodedBlocks.Encoded exact = EncodedBlocks.encode(plain, node, false, true);
          EncodedBlocks.Encoded aligned = EncodedBlocks.encode(plain, node, true, true);
          assertArrayEquals(exact.bytes(), both[0].bytes(), bits + " bits, " + n + " values, nulls " + nulls);
          assertEquals(exact.scheme(), both[0].scheme());
          assertArrayEquals(aligned.bytes(), both[1].bytes(), bits + " bits, " + n + " values, nulls " + nulls);
          assertEquals(aligned.scheme(), both[1].scheme());
        }
      }
    }
  }

  @Test
  void sharedDictionaryCodesGiveBothEncodingsAtOnce() throws Exception {
    Random rnd = new Random(6);
    ColumnNode node = node(new ArrowType.Int(64, true));
    for (int round = 0; round < 20; round++) {
      int n = new int[] {1, 3, 300, 4096}[rnd.nextInt(4)];
      long[] codes = new long[n];
      int entries = 1 + rnd.nextInt(round % 2 == 0 ? 20 : 2000);
      for (int i = 0; i < n; i++) {
        double u = rnd.nextDouble();
        codes[i] = (long) (entries * u * u); // small codes common
      }
      for (boolean nulls : new boolean[] {false, true}) {
        MiniBlock plain = block(node, codes, nulls); // the block's values do not matter, only its nulls
        EncodedBlocks.Encoded[] both = EncodedBlocks.encodeSharedBothWidths(plain, node, codes);
        for (int k = 0; k < 2; k++) {
          EncodedBlocks.Encoded one = EncodedBlocks.encodeShared(plain, node, codes, k == 1);
          assertArrayEquals(one.bytes(), both[k].bytes(), n + " codes, nulls " + nulls + ", aligned " + (k == 1));
          assertEquals(one.scheme(), both[k].scheme());
          assertEquals(one.codesScheme(), both[k].codesScheme());
          // the same encoding left in the thread's scratch output (the writer's remembered way)
          EncodedBlocks.InScratch in = EncodedBlocks.encodeSharedInScratch(plain, node, codes, k == 1, -1, null);
          assertArrayEquals(one.bytes(), in.out().toByteArray());
          assertEquals(one.scheme(), in.scheme());
        }
      }
    }
  }

  @Test
  void otherKindsAreLeftToEncode() throws Exception {
    ColumnNode floats = node(new ArrowType.FloatingPoint(org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE));
    assertNull(EncodedBlocks.encodeBothWidths(block(floats, new long[] {1, 2, 3}, false), floats));
    ColumnNode strings = node(ArrowType.Utf8.INSTANCE);
    assertNull(EncodedBlocks.encodeBothWidths(MiniBlock.parseOwn(ByteBuffer.allocate(8), strings, 1, false), strings));
  }
}
