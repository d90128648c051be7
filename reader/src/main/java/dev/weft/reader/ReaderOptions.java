package dev.weft.reader;

/**
 * Immutable reader settings. Defaults: verify every checksum on first read; keep up to 64 MiB
 * (at most an eighth of the heap) of decoded mini-blocks for reuse by later reads (random take of encoded data parses each block
 * it touches; a cache that holds the working set of parsed blocks makes that a lookup).
 */
public final class ReaderOptions {
  /** 64 MiB, or an eighth of the JVM's heap if that is less (decompressed blocks live on the heap). */
  public static final long DEFAULT_BLOCK_CACHE_BYTES = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 8);

  private final boolean verifyChecksums;
  private final long blockCacheBytes;
  private final BlockCache sharedCache;

  private ReaderOptions(boolean verifyChecksums, long blockCacheBytes, BlockCache sharedCache) {
    this.verifyChecksums = verifyChecksums;
    this.blockCacheBytes = blockCacheBytes;
    this.sharedCache = sharedCache;
  }

  public static ReaderOptions defaults() {
    return new ReaderOptions(true, DEFAULT_BLOCK_CACHE_BYTES, null);
  }

  /** The cache shared with other readers, or null: the reader makes its own of {@link #blockCacheBytes}. */
  public BlockCache blockCache() {
    return sharedCache;
  }

  /**
   * Uses {@code cache} (see {@link BlockCache#create}) instead of a cache of the reader's own;
   * null returns to a cache of the reader's own.
   */
  public ReaderOptions withBlockCache(BlockCache cache) {
    return new ReaderOptions(verifyChecksums, cache == null ? blockCacheBytes : cache.capacityBytes(), cache);
  }

  /**
   * Bytes of decoded (decompressed) mini-blocks the reader keeps for later reads, shared by all
   * threads; 0 disables the cache. Random takes of encoded and compressed data gain the most.
   * Setting it drops a shared cache set by {@link #withBlockCache}.
   */
  public long blockCacheBytes() {
    return blockCacheBytes;
  }

  public ReaderOptions withBlockCacheBytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("block cache size must be >= 0, got " + bytes);
    }
    return new ReaderOptions(verifyChecksums, bytes, null);
  }

  /** Whether each mini-block's CRC32C is checked the first time it is read (default true). */
  public boolean verifyChecksums() {
    return verifyChecksums;
  }

  public ReaderOptions withVerifyChecksums(boolean verify) {
    return new ReaderOptions(verify, blockCacheBytes, sharedCache);
  }
}
