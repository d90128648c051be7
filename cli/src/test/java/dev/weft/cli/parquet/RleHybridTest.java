package dev.weft.cli.parquet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.bytes.DirectByteBufferAllocator;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridDecoder;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder;
import org.junit.jupiter.api.Test;

/** The RLE / bit-packing hybrid decoder against parquet-java's encoder and decoder. */
class RleHybridTest {
  @Test
  void workedExamples() throws Exception {
    int[] out = new int[16];
    new RleHybrid(new byte[] {0x03, (byte) 0xff, 0x10, 0x01}, 0, 4, 1).next(out, 0, 16);
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, out);
  }

  @Test
  void decodesWhatParquetJavaEncodes() throws Exception {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    for (int width : new int[] {1, 2, 3, 5, 8, 12, 17, 20, 31, 32}) {
      for (int round = 0; round < 20; round++) {
        int n = 1 + rnd.nextInt(5000);
        int[] values = new int[n];
        long max = width == 32 ? 0xFFFF_FFFFL : (1L << width) - 1;
        for (int i = 0; i < n; i++) {
          // runs and noise, so that both kinds of runs occur
          values[i] = i > 0 && rnd.nextInt(3) > 0 ? values[i - 1] : (int) (rnd.nextLong() & max);
        }
        RunLengthBitPackingHybridEncoder enc =
            new RunLengthBitPackingHybridEncoder(width, 64, 1 << 20, new DirectByteBufferAllocator());
        for (int v : values) {
          enc.writeInt(v);
        }
        byte[] bytes = enc.toBytes().toByteArray();
        enc.close();
        int[] got = new int[n];
        RleHybrid d = new RleHybrid(bytes, 0, bytes.length, width);
        int at = 0;
        while (at < n) {
          int k = Math.min(n - at, 1 + rnd.nextInt(300)); // steps cut runs anywhere
          d.next(got, at, k);
          at += k;
        }
        assertArrayEquals(values, got, "width " + width + ", seed " + seed);
        // and parquet-java's own decoder agrees
        RunLengthBitPackingHybridDecoder pd = new RunLengthBitPackingHybridDecoder(width,
            ByteBufferInputStream.wrap(ByteBuffer.wrap(bytes)));
        for (int i = 0; i < n; i++) {
          if (pd.readInt() != values[i]) {
            throw new AssertionError("parquet-java disagrees at " + i);
          }
        }
      }
    }
  }

  /** skipRun skips only within one RLE run of the value, and consumes nothing otherwise. */
  @Test
  void skipRunSkipsOnlyRunsOfTheValue() throws Exception {
    // one bit-packed group of eight 1s, then an RLE run of 16 ones, then 8 RLE zeros
    byte[] b = {0x03, (byte) 0xff, 0x20, 0x01, 0x10, 0x00};
    RleHybrid d = new RleHybrid(b, 0, b.length, 1);
    assertFalse(d.skipRun(1, 4)); // bit-packed: not skipped
    int[] out = new int[8];
    d.next(out, 0, 8);
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1}, out);
    assertFalse(d.skipRun(0, 4)); // a run of another value
    assertTrue(d.skipRun(1, 10));
    assertFalse(d.skipRun(1, 7)); // only 6 left in the run
    d.next(out, 0, 8);
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 0, 0}, out);
    assertTrue(d.skipRun(0, 6));
    assertFalse(d.skipRun(0, 1)); // the end: nothing left
  }

  /**
   * Encoded values in the middle of a larger array, between random bytes: nothing outside
   * [pos, end) is read, and a bit-packed run cut short by the end reads its missing bytes as 0.
   */
  @Test
  void readsOnlyItsBytesAndZerosPastTheEnd() throws Exception {
    Random rnd = new Random(42);
    for (int width : new int[] {1, 3, 7, 8, 13, 24, 32}) {
      // one bit-packed run of 40 groups (320 values), cut after `keep` of its bytes
      int groups = 40;
      byte[] run = new byte[groups * width];
      rnd.nextBytes(run);
      for (int keep : new int[] {run.length, run.length - 1, run.length - 9, 5, 0}) {
        byte[] data = new byte[1 + keep];
        data[0] = (byte) ((groups << 1) | 1);
        System.arraycopy(run, 0, data, 1, keep);
        byte[] host = new byte[data.length + 50];
        rnd.nextBytes(host);
        System.arraycopy(data, 0, host, 17, data.length);
        byte[] zeroPadded = Arrays.copyOf(run, run.length);
        Arrays.fill(zeroPadded, keep, run.length, (byte) 0);
        int[] expected = new int[groups * 8];
        long mask = width == 32 ? 0xFFFF_FFFFL : (1L << width) - 1;
        for (int i = 0; i < expected.length; i++) {
          long v = 0;
          for (int bit = 0; bit < width; bit++) {
            long at = (long) i * width + bit;
            v |= (long) ((zeroPadded[(int) (at >>> 3)] >>> (at & 7)) & 1) << bit;
          }
          expected[i] = (int) (v & mask);
        }
        int[] got = new int[expected.length];
        RleHybrid d = new RleHybrid(host, 17, 17 + data.length, width);
        int at = 0;
        while (at < got.length) {
          int k = Math.min(got.length - at, 1 + rnd.nextInt(50));
          d.next(got, at, k);
          at += k;
        }
        assertArrayEquals(expected, got, "width " + width + ", " + keep + " of " + run.length + " bytes");
      }
    }
  }

  @Test
  void truncatedOrBadDataIsCorrupt() {
    int[] out = new int[100];
    assertThrows(RleHybrid.CorruptException.class, () -> new RleHybrid(new byte[] {0x10, 0x01}, 0, 2, 1).next(out, 0, 9));
    assertThrows(RleHybrid.CorruptException.class, () -> new RleHybrid(new byte[] {(byte) 0x80, (byte) 0x80}, 0, 2, 3)
        .next(out, 0, 1));
    assertThrows(RleHybrid.CorruptException.class, () -> new RleHybrid(new byte[0], 0, 0, 33));
    assertThrows(RleHybrid.CorruptException.class, () -> new RleHybrid(new byte[] {0x10}, 0, 1, 16).next(out, 0, 1));
  }
}
