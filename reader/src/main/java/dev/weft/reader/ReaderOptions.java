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
  private final boolean memoryMap;

  private ReaderOptions(boolean verifyChecksums, long blockCacheBytes, BlockCache sharedCache, boolean memoryMap) {
    this.verifyChecksums = verifyChecksums;
    this.blockCacheBytes = blockCacheBytes;
    this.sharedCache = sharedCache;
    this.memoryMap = memoryMap;
  }

  public static ReaderOptions defaults() {
    return new ReaderOptions(true, DEFAULT_BLOCK_CACHE_BYTES, null, true);
  }

  /**
   * Whether the file is memory-mapped (default true): reads are views of the mapping and
   * uncompressed columns can be handed to Arrow without a copy. False reads every range with a
   * positional read into a heap buffer instead: nothing is mapped, so the pages a long-running
   * process touches are not counted in its resident memory (they stay in the OS page cache), and
   * the reader's memory is what its caches hold. The loader server reads this way.
   */
  public boolean memoryMap() {
    return memoryMap;
  }

  public ReaderOptions withMemoryMap(boolean map) {
    return new ReaderOptions(verifyChecksums, blockCacheBytes, sharedCache, map);
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
    return new ReaderOptions(verifyChecksums, cache == null ? blockCacheBytes : cache.capacityBytes(), cache, memoryMap);
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
    return new ReaderOptions(verifyChecksums, bytes, null, memoryMap);
  }

  /** Whether each mini-block's CRC32C is checked the first time it is read (default true). */
  public boolean verifyChecksums() {
    return verifyChecksums;
  }

  public ReaderOptions withVerifyChecksums(boolean verify) {
    return new ReaderOptions(verify, blockCacheBytes, sharedCache, memoryMap);
  }
}
