package dev.weft.format;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Whole-mini-block compression with zstd or lz4. A compressor instance is not thread-safe
 * (one per writer); {@link #decompress} is safe from any thread.
 */
public final class BlockCodecs {
  /**
   * lz4-java's fastest implementation, made on first use of lz4: making it extracts a native
   * library into the temp directory and loads it (a file left behind by a killed JVM), which
   * files written with zstd or no codec never need.
   */
  private static final class Lz4 {
    static final LZ4Factory FACTORY = LZ4Factory.fastestInstance();
  }
  private static final ThreadLocal<ZstdDecompressCtx> ZSTD_DECOMPRESS =
      ThreadLocal.withInitial(ZstdDecompressCtx::new);

  private BlockCodecs() {}

  /** The largest compressed size of {@code rawLength} bytes. */
  public static int maxCompressedLength(Codec codec, int rawLength) {
    return switch (codec) {
      case NONE -> rawLength;
      case ZSTD -> (int) Math.min(Integer.MAX_VALUE, Zstd.compressBound(rawLength));
      case LZ4 -> Lz4.FACTORY.fastCompressor().maxCompressedLength(rawLength);
    };
  }

  /** A compressor bound to one codec and level; not thread-safe. */
  public static final class Compressor implements AutoCloseable {
    private final Codec codec;
    private final ZstdCompressCtx zstd;
    private final LZ4Compressor lz4;

    public Compressor(Codec codec, int level) {
      this(codec, level, 0);
    }

    /**
     * As {@link #Compressor(Codec, int)}; {@code minMatch} > 0 sets zstd's shortest match (3..7;
     * ignored by lz4): longer minimum matches leave more bytes to the entropy coder, which suits
     * data that is mostly small residuals (images after a predictor).
     */
    public Compressor(Codec codec, int level, int minMatch) {
      this.codec = codec;
      if (codec == Codec.ZSTD) {
        zstd = new ZstdCompressCtx();
        zstd.setLevel(level);
        if (minMatch > 0) {
          zstd.setMinMatch(minMatch);
        }
      } else {
        zstd = null;
      }
      lz4 = codec == Codec.LZ4 ? (level > 0 ? Lz4.FACTORY.highCompressor(level) : Lz4.FACTORY.fastCompressor()) : null;
    }

    public Codec codec() {
      return codec;
    }

    /**
     * Compresses {@code src[srcOff, srcOff+len)} into {@code dst} at {@code dstOff} (both direct
     * buffers); returns the compressed length.
     */
    public int compress(ByteBuffer src, int srcOff, int len, ByteBuffer dst, int dstOff, int dstCapacity) {
      return switch (codec) {
        case NONE -> throw new IllegalStateException("no codec");
        case ZSTD -> zstd.compressDirectByteBuffer(dst, dstOff, dstCapacity, src, srcOff, len);
        case LZ4 -> lz4.compress(src, srcOff, len, dst, dstOff, dstCapacity);
      };
    }

    @Override
    public void close() {
      if (zstd != null) {
        zstd.close();
      }
    }
  }

  /**
   * Decompresses {@code src} (its remaining bytes) into a new heap array of exactly
   * {@code rawLength} bytes.
   *
   * @throws IllegalArgumentException if the data is malformed or has another length
   */
  public static byte[] decompress(Codec codec, ByteBuffer src, int rawLength) {
    byte[] out = new byte[rawLength];
    int produced;
    try {
      produced = switch (codec) {
        case NONE -> throw new IllegalStateException("no codec");
        // straight from a mapped (direct) buffer: no copy of the compressed bytes first
        case ZSTD -> src.isDirect()
            ? ZSTD_DECOMPRESS.get().decompressDirectByteBufferToByteArray(out, 0, rawLength, src, src.position(),
                src.remaining())
            : ZSTD_DECOMPRESS.get().decompressByteArray(out, 0, rawLength, bytes(src), 0, src.remaining());
        case LZ4 -> {
          LZ4SafeDecompressor d = Lz4.FACTORY.safeDecompressor();
          yield d.decompress(src, src.position(), src.remaining(), ByteBuffer.wrap(out), 0, rawLength);
        }
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(codec + " data is malformed: " + e.getMessage(), e);
    }
    if (produced != rawLength) {
      throw new IllegalArgumentException(codec + " data decompressed to " + produced + " bytes, expected " + rawLength);
    }
    return out;
  }

  /**
   * Decompresses {@code src} (its remaining bytes) into the direct buffer {@code dst} at index 0,
   * which must hold {@code rawLength} bytes.
   *
   * @throws IllegalArgumentException if the data is malformed or has another length
   */
  public static void decompressInto(Codec codec, ByteBuffer src, ByteBuffer dst, int rawLength) {
    if (!dst.isDirect() || dst.capacity() < rawLength) {
      throw new IllegalStateException("need a direct buffer of " + rawLength + " bytes");
    }
    int produced;
    try {
      produced = switch (codec) {
        case NONE -> throw new IllegalStateException("no codec");
        case ZSTD -> src.isDirect()
            ? ZSTD_DECOMPRESS.get().decompressDirectByteBuffer(dst, 0, rawLength, src, src.position(), src.remaining())
            : ZSTD_DECOMPRESS.get().decompressDirectByteBuffer(dst, 0, rawLength, direct(src), 0, src.remaining());
        case LZ4 -> Lz4.FACTORY.safeDecompressor().decompress(src, src.position(), src.remaining(), dst, 0, rawLength);
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(codec + " data is malformed: " + e.getMessage(), e);
    }
    if (produced != rawLength) {
      throw new IllegalArgumentException(codec + " data decompressed to " + produced + " bytes, expected " + rawLength);
    }
  }

  private static ByteBuffer direct(ByteBuffer src) {
    ByteBuffer d = ByteBuffer.allocateDirect(src.remaining());
    d.put(src.duplicate()).flip();
    return d;
  }

  private static byte[] bytes(ByteBuffer src) {
    byte[] in = new byte[src.remaining()];
    src.duplicate().get(in);
    return in;
  }
}
