package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.format.MetaOutput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link BitPacking#unpack}'s loops (eight values per load below 8 bits, whole bytes at 8, 16,
 * 32 and 64 bits, one value per load otherwise, and the careful tail) agree with {@link
 * BitPacking#get} for every width, start and length, on heap and direct buffers.
 */
class BitPackingTest {
  @Test
  void bitsForIsTheWidthOfEveryValue() {
    for (int b = 0; b < 64; b++) {
      for (long d = -2; d <= 2; d++) {
        long v = (1L << b) + d;
        assertEquals(64 - Long.numberOfLeadingZeros(v), BitPacking.bitsFor(v), Long.toString(v));
      }
    }
    assertEquals(0, BitPacking.bitsFor(0));
    assertEquals(64, BitPacking.bitsFor(-1));
    Random rnd = new Random(EncodingConformanceTest.SEED);
    for (int i = 0; i < 100_000; i++) {
      long v = rnd.nextLong() >>> rnd.nextInt(64);
      assertEquals(64 - Long.numberOfLeadingZeros(v), BitPacking.bitsFor(v), Long.toString(v));
    }
  }

  @Test
  void unpackAgreesWithGetForEveryWidthStartAndLength() {
    Random rnd = new Random(EncodingConformanceTest.SEED);
    for (int bits = 0; bits <= 64; bits++) {
      int n = 200 + rnd.nextInt(50);
      long[] v = new long[n];
      for (int i = 0; i < n; i++) {
        v[i] = rnd.nextLong();
      }
      MetaOutput out = new MetaOutput(64);
      out.u8(0xAB); // the packed bytes need not start at 0
      BitPacking.pack(v, n, bits, out);
      byte[] bytes = out.toByteArray();
      ByteBuffer heap = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.LITTLE_ENDIAN).put(bytes).clear();
      int end = bytes.length;
      long mask = bits == 64 ? -1L : (1L << bits) - 1;
      for (ByteBuffer b : new ByteBuffer[] {heap, direct}) {
        for (int t = 0; t < 40; t++) {
          int from = t < 16 ? t : rnd.nextInt(n);
          int len = t < 16 ? n - from : rnd.nextInt(n - from + 1);
          long base = t % 2 == 0 ? 0 : rnd.nextLong();
          long scale = t % 3 == 0 ? 1 : 1 + rnd.nextInt(1000);
          long[] dst = new long[len + 3];
          BitPacking.unpack(b, 1, end, bits, from, len, dst, 2, base, scale);
          for (int i = 0; i < len; i++) {
            long p = BitPacking.get(b, 1, end, bits, from + i);
            assertEquals(v[from + i] & mask, p, "get, bits " + bits + " value " + (from + i));
            assertEquals(base + scale * p, dst[2 + i], "bits " + bits + " from " + from + " len " + len + " value " + i);
          }
          assertEquals(0, dst[len + 2], "unpack wrote past its range");
        }
      }
    }
  }
}
