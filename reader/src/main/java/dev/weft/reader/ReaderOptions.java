package dev.weft.reader;

/**
 * Immutable reader settings. Defaults: verify every checksum on first read; keep up to 16 MiB
 * of decoded mini-blocks for reuse by later reads.
 */
public final class ReaderOptions {
  public static final long DEFAULT_BLOCK_CACHE_BYTES = 16L << 20;

  private final boolean verifyChecksums;
  private final long blockCacheBytes;

  private ReaderOptions(boolean verifyChecksums, long blockCacheBytes) {
    this.verifyChecksums = verifyChecksums;
    this.blockCacheBytes = blockCacheBytes;
  }

  public static ReaderOptions defaults() {
    return new ReaderOptions(true, DEFAULT_BLOCK_CACHE_BYTES);
  }

  /**
   * Bytes of decoded (decompressed) mini-blocks the reader keeps for later reads, shared by all
   * threads; 0 disables the cache. Random takes of compressed data gain the most.
   */
  public long blockCacheBytes() {
    return blockCacheBytes;
  }

  public ReaderOptions withBlockCacheBytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("block cache size must be >= 0, got " + bytes);
    }
    return new ReaderOptions(verifyChecksums, bytes);
  }

  /** Whether each mini-block's CRC32C is checked the first time it is read (default true). */
  public boolean verifyChecksums() {
    return verifyChecksums;
  }

  public ReaderOptions withVerifyChecksums(boolean verify) {
    return new ReaderOptions(verify, blockCacheBytes);
  }
}
