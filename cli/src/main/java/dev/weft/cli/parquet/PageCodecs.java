package dev.weft.cli.parquet;

import com.github.luben.zstd.ZstdDecompressCtx;
import io.airlift.compress.MalformedInputException;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.brotli.dec.BrotliInputStream;

/**
 * Page decompression for the Parquet reader, in place of parquet-java's Hadoop-based codec
 * factory: every codec is implemented here with pure-Java or bundled decoders (brotli included,
 * which parquet-java lacks), and every page's declared uncompressed size is checked against a
 * limit before anything is allocated, so a corrupt or gigantic page is refused with a clear
 * error instead of an OutOfMemoryError.
 *
 * <p>Only decompression is supported; the reader never compresses. Compressed pages are read in
 * place (a page of a row group's buffer is not copied first), and zstd contexts are reused from
 * page to page ({@link #close} frees them).
 */
final class PageCodecs implements CompressionCodecFactory, AutoCloseable {
  private final long maxPageBytes;
  private final String file;
  /** Idle zstd contexts: one per thread decoding at once, kept between pages (a new one per page cost ~5% of reading). */
  private final ConcurrentLinkedQueue<ZstdDecompressCtx> zstdContexts = new ConcurrentLinkedQueue<>();
  /**
   * Arrays of decompressed pages given back ({@link #giveBack}) for later pages, and the arrays
   * lent most recently (the only ones taken back). Guarded by {@code this}.
   */
  private final ArrayFreeList freePages = new ArrayFreeList(FREE_KEPT);
  private final byte[][] lent = new byte[LENT_TRACKED][];
  private int lentNext;
  /** Decompressed pages tracked for return: more than the pages of all columns in use at once. */
  static final int LENT_TRACKED = 64;
  /** Arrays kept for later pages at most. */
  static final int FREE_KEPT = 16;

  /**
   * @param maxPageBytes the largest uncompressed page accepted (bounded by the memory budget)
   * @param file named in error messages
   */
  PageCodecs(long maxPageBytes, String file) {
    this.maxPageBytes = maxPageBytes;
    this.file = file;
  }

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codecName) {
    throw new UnsupportedOperationException("the Parquet reader does not compress");
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    return new Decompressor(codec);
  }

  @Override
  public void release() {}

  /**
   * Gives back the array of a decompressed page whose values nothing reads any more (a later
   * page reuses it instead of a new, zeroed array). An array this did not lend recently (a page
   * stored uncompressed is a slice of its row group's buffer) is ignored. Only for a reader that
   * copies what it keeps of a page (the fast path: {@link FlatColumnReader}); parquet-java's
   * dictionaries keep slices of their page.
   */
  synchronized void giveBack(byte[] page) {
    if (page == null) {
      return;
    }
    int i = 0;
    while (i < lent.length && lent[i] != page) {
      i++;
    }
    if (i == lent.length) {
      return;
    }
    lent[i] = null;
    // kept arrays stay within one page of the budget (and the largest serve the most requests)
    freePages.keep(page, maxPageBytes);
  }

  /** An array of at least {@code size} bytes for a decompressed page (its content undefined), tracked as lent. */
  private synchronized byte[] pageArray(int size) {
    byte[] a = freePages.take(size);
    if (a == null) {
      a = new byte[size];
    }
    lent[lentNext] = a;
    lentNext = (lentNext + 1) % lent.length;
    return a;
  }

  /** Frees the zstd contexts. */
  @Override
  public void close() {
    ZstdDecompressCtx c;
    while ((c = zstdContexts.poll()) != null) {
      c.close();
    }
  }

  /** Thrown when a page is larger than the memory budget allows; the message says what to do. */
  static final class PageTooLargeException extends IOException {
    PageTooLargeException(String message) {
      super(message);
    }
  }

  private final class Decompressor implements BytesInputDecompressor {
    private final CompressionCodecName codec;

    Decompressor(CompressionCodecName codec) {
      this.codec = codec;
    }

    @Override
    @SuppressWarnings("deprecation") // BytesInput.toByteBuffer: a page of a row group's heap buffer, not copied
    public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
      checkSize(uncompressedSize, bytes.size());
      if (codec == CompressionCodecName.UNCOMPRESSED) {
        if (bytes.size() != uncompressedSize) {
          throw new IOException("corrupt page: " + bytes.size() + " bytes stored but "
              + uncompressedSize + " declared (uncompressed)");
        }
        return bytes;
      }
      if (uncompressedSize == 0) {
        return BytesInput.empty(); // e.g. an empty v2 data page: nothing to decompress
      }
      ByteBuffer bb = bytes.toByteBuffer();
      byte[] out = pageArray(uncompressedSize);
      if (bb.hasArray()) {
        decode(bb.array(), bb.arrayOffset() + bb.position(), bb.remaining(), out, uncompressedSize);
      } else {
        byte[] in = new byte[bb.remaining()];
        bb.duplicate().get(in);
        decode(in, 0, in.length, out, uncompressedSize);
      }
      return BytesInput.from(out, 0, uncompressedSize);
    }

    @Override
    public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
        throws IOException {
      checkSize(uncompressedSize, compressedSize);
      if (uncompressedSize == 0) {
        return;
      }
      byte[] in = new byte[compressedSize];
      input.get(in);
      if (codec == CompressionCodecName.UNCOMPRESSED) {
        output.put(in, 0, Math.min(in.length, uncompressedSize));
        return;
      }
      byte[] out = new byte[uncompressedSize];
      decode(in, 0, in.length, out, uncompressedSize);
      output.put(out);
    }

    @Override
    public void release() {}

    private void checkSize(long uncompressedSize, long compressedSize) throws IOException {
      if (uncompressedSize < 0 || compressedSize < 0) {
        throw new IOException("corrupt page header: negative page size (" + compressedSize + " stored, "
            + uncompressedSize + " uncompressed)");
      }
      if (uncompressedSize > maxPageBytes) {
        throw new PageTooLargeException("a " + codec.name().toLowerCase(java.util.Locale.ROOT)
            + " page of " + Sizes.human(uncompressedSize) + " (uncompressed) does not fit the memory"
            + " budget (at most " + Sizes.human(maxPageBytes) + " per page); raise --memory-budget");
      }
    }

    /** Decompresses {@code in[off, off + len)} into {@code out[0, size)}, exactly {@code size} bytes. */
    private void decode(byte[] in, int off, int len, byte[] out, int size) throws IOException {
      int n;
      try {
        n = switch (codec) {
          case SNAPPY -> new SnappyDecompressor().decompress(in, off, len, out, 0, size);
          case GZIP -> readFully(new GZIPInputStream(new ByteArrayInputStream(in, off, len), 64 << 10), out, size);
          case BROTLI -> readFully(new BrotliInputStream(new ByteArrayInputStream(in, off, len)), out, size);
          case ZSTD -> zstd(in, off, len, out, size);
          case LZ4_RAW -> new Lz4Decompressor().decompress(in, off, len, out, 0, size);
          case LZ4 -> lz4(in, off, len, out, size);
          default -> throw new IOException("unsupported compression codec " + codec
              + " (supported: uncompressed, snappy, gzip, brotli, zstd, lz4, lz4_raw)");
        };
      } catch (MalformedInputException | ZipException | ArrayIndexOutOfBoundsException e) {
        throw new IOException("corrupt " + codec.name().toLowerCase(java.util.Locale.ROOT) + " page: "
            + e.getMessage(), e);
      } catch (RuntimeException e) {
        // brotli and zstd report malformed input as runtime exceptions
        throw new IOException("corrupt " + codec.name().toLowerCase(java.util.Locale.ROOT) + " page: " + e, e);
      }
      if (n != size) {
        throw new IOException("corrupt " + codec.name().toLowerCase(java.util.Locale.ROOT) + " page: "
            + n + " bytes decompressed, " + size + " declared");
      }
    }

    private int zstd(byte[] in, int off, int len, byte[] out, int size) {
      ZstdDecompressCtx ctx = zstdContexts.poll();
      if (ctx == null) {
        ctx = new ZstdDecompressCtx();
      }
      try {
        return ctx.decompressByteArray(out, 0, size, in, off, len);
      } finally {
        ctx.reset(); // a failed frame leaves nothing behind for the next page
        zstdContexts.offer(ctx);
      }
    }

    /**
     * Parquet's LZ4 codec is ambiguous: parquet-java (Hadoop) writes Hadoop-framed blocks (a
     * big-endian decompressed size and compressed size before each raw LZ4 block), some older
     * writers wrote a bare LZ4 block. Like Arrow C++, try the Hadoop framing first.
     */
    private int lz4(byte[] in, int off, int len, byte[] out, int size) throws IOException {
      int n = tryHadoopLz4(in, off, len, out, size);
      if (n >= 0) {
        return n;
      }
      return new Lz4Decompressor().decompress(in, off, len, out, 0, size);
    }

    private int tryHadoopLz4(byte[] in, int off, int len, byte[] out, int size) {
      int pos = off;
      int end = off + len;
      int written = 0;
      try {
        while (pos < end) {
          if (end - pos < 8) {
            return -1;
          }
          int rawSize = readBigEndianInt(in, pos);
          int blockSize = readBigEndianInt(in, pos + 4);
          pos += 8;
          if (rawSize < 0 || blockSize < 0 || blockSize > end - pos || rawSize > size - written) {
            return -1;
          }
          int got = new Lz4Decompressor().decompress(in, pos, blockSize, out, written, rawSize);
          if (got != rawSize) {
            return -1;
          }
          written += got;
          pos += blockSize;
        }
        return written == size ? written : -1;
      } catch (RuntimeException e) {
        return -1;
      }
    }
  }

  private static int readBigEndianInt(byte[] b, int p) {
    return ((b[p] & 0xff) << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
  }

  /** Reads exactly {@code size} bytes into out (or fewer at the end of the stream) and returns the count. */
  private static int readFully(InputStream in, byte[] out, int size) throws IOException {
    try (in) {
      int n = 0;
      while (n < size) {
        int r = in.read(out, n, size - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
      if (n == size && in.read() >= 0) {
        return n + 1; // more data than declared
      }
      return n;
    }
  }

  @Override
  public String toString() {
    return "PageCodecs[" + file + "]";
  }
}
