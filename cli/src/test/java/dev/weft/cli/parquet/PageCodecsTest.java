package dev.weft.cli.parquet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputDecompressor;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;

/**
 * {@link PageCodecs}: pages decompressed from within a larger buffer, with reused zstd contexts,
 * into arrays that come back only when given back, bounded by the page limit.
 */
class PageCodecsTest {
  private static byte[] page(int size, long seed) {
    byte[] b = new byte[size];
    Random r = new Random(seed);
    for (int i = 0; i < size; i++) {
      b[i] = (byte) r.nextInt(16); // compressible
    }
    return b;
  }

  /** The compressed page in the middle of a larger array, as a page of a row group's buffer is. */
  private static BytesInput compressed(byte[] page) {
    byte[] z = Zstd.compress(page);
    byte[] host = new byte[z.length + 100];
    Arrays.fill(host, (byte) 0x5A);
    System.arraycopy(z, 0, host, 40, z.length);
    return BytesInput.from(ByteBuffer.wrap(host), 40, z.length);
  }

  private static byte[] array(BytesInput in) throws IOException {
    @SuppressWarnings("deprecation")
    ByteBuffer bb = in.toByteBuffer();
    return bb.array();
  }

  private static byte[] bytes(BytesInput in) throws IOException {
    return in.toByteArray();
  }

  @Test
  void aGivenBackArrayServesALaterPage() throws Exception {
    try (PageCodecs codecs = new PageCodecs(1 << 20, "test.parquet")) {
      BytesInputDecompressor d = codecs.getDecompressor(CompressionCodecName.ZSTD);
      byte[] p1 = page(5000, 1);
      BytesInput out1 = d.decompress(compressed(p1), p1.length);
      assertArrayEquals(p1, bytes(out1));
      byte[] a1 = array(out1);
      byte[] p2 = page(4000, 2);
      BytesInput out2 = d.decompress(compressed(p2), p2.length); // a1 is still in use
      assertNotSame(a1, array(out2));
      codecs.giveBack(a1);
      BytesInput out3 = d.decompress(compressed(p2), p2.length);
      assertSame(a1, array(out3)); // larger than needed: the page is its first 4000 bytes
      assertArrayEquals(p2, bytes(out3));
      assertTrue(out3.size() == 4000);
      codecs.giveBack(new byte[10_000]); // never lent: ignored
      codecs.giveBack(a1);
      codecs.giveBack(a1); // twice: once
      byte[] first = array(d.decompress(compressed(p1), p1.length));
      byte[] second = array(d.decompress(compressed(p1), p1.length));
      assertSame(a1, first);
      assertNotSame(a1, second);
    }
  }

  @Test
  void keptArraysStayWithinThePageLimit() throws Exception {
    try (PageCodecs codecs = new PageCodecs(10_000, "test.parquet")) {
      BytesInputDecompressor d = codecs.getDecompressor(CompressionCodecName.ZSTD);
      byte[] a = array(d.decompress(compressed(page(6000, 3)), 6000));
      byte[] b = array(d.decompress(compressed(page(6000, 4)), 6000));
      codecs.giveBack(a);
      codecs.giveBack(b); // 12000 bytes would exceed the limit: b is dropped
      byte[] c = array(d.decompress(compressed(page(6000, 5)), 6000));
      byte[] e = array(d.decompress(compressed(page(6000, 6)), 6000));
      assertSame(a, c);
      assertNotSame(b, e);
    }
  }

  @Test
  void corruptAndOversizedPagesFailClearly() throws Exception {
    try (PageCodecs codecs = new PageCodecs(10_000, "test.parquet")) {
      BytesInputDecompressor d = codecs.getDecompressor(CompressionCodecName.ZSTD);
      byte[] p = page(5000, 7);
      IOException e = assertThrows(IOException.class, () -> d.decompress(compressed(p), 4000));
      assertTrue(e.getMessage().startsWith("corrupt zstd page"), e.getMessage());
      assertThrows(PageCodecs.PageTooLargeException.class, () -> d.decompress(compressed(p), 20_000));
      byte[] junk = new byte[100];
      Arrays.fill(junk, (byte) 7);
      e = assertThrows(IOException.class, () -> d.decompress(BytesInput.from(junk), 5000));
      assertTrue(e.getMessage().startsWith("corrupt zstd page"), e.getMessage());
      // the context that failed is reused: the next page decodes
      assertArrayEquals(p, bytes(d.decompress(compressed(p), p.length)));
    }
  }
}
