package dev.weft.index;

/**
 * A split-block bloom filter as in Parquet: blocks of 256 bits (eight u32 words); a value's
 * 64-bit hash picks one block with its high 32 bits and sets one bit in each of the eight words
 * from its low 32 bits multiplied by eight fixed odd salts. No false negatives; the false
 * positive rate is set by the size ({@link #blocksFor}).
 */
public final class SplitBlockBloomFilter {
  /** Bytes per block: eight 32-bit words. */
  public static final int BLOCK_BYTES = 32;
  /** At most 2^22 blocks (128 MiB) per filter. */
  public static final int MAX_BLOCKS = 1 << 22;

  private static final int[] SALT = {
    0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d, 0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31
  };

  private final int[] words;
  private final int numBlocks;

  /** An empty filter of {@code numBlocks} blocks (0: the filter of the empty set). */
  public SplitBlockBloomFilter(int numBlocks) {
    if (numBlocks < 0 || numBlocks > MAX_BLOCKS) {
      throw new IllegalArgumentException("bloom filter blocks must be in [0, " + MAX_BLOCKS + "], got " + numBlocks);
    }
    this.numBlocks = numBlocks;
    this.words = new int[numBlocks * 8];
  }

  /** Wraps stored words (8 per block). */
  public SplitBlockBloomFilter(int[] words) {
    this.numBlocks = words.length / 8;
    this.words = words;
  }

  /**
   * Blocks for {@code distinct} values at false-positive rate {@code fpp}, Parquet's sizing:
   * {@code bits = -8 n / ln(1 - fpp^(1/8))}, rounded up to a power of two blocks.
   */
  public static int blocksFor(long distinct, double fpp) {
    if (distinct <= 0) {
      return 0;
    }
    double bits = -8.0 * distinct / Math.log(1 - Math.pow(fpp, 1.0 / 8));
    long blocks = (long) Math.ceil(bits / 256);
    int b = 1;
    while (b < blocks && b < MAX_BLOCKS) {
      b <<= 1;
    }
    return b;
  }

  public int numBlocks() {
    return numBlocks;
  }

  int[] words() {
    return words;
  }

  private int block(long hash) {
    return (int) (((hash >>> 32) * numBlocks) >>> 32);
  }

  public void insert(long hash) {
    if (numBlocks == 0) {
      throw new IllegalStateException("cannot insert into a bloom filter of zero blocks");
    }
    int base = block(hash) * 8;
    int key = (int) hash;
    for (int i = 0; i < 8; i++) {
      words[base + i] |= 1 << ((key * SALT[i]) >>> 27);
    }
  }

  /** False only if the value with this hash was never inserted. */
  public boolean mightContain(long hash) {
    if (numBlocks == 0) {
      return false;
    }
    int base = block(hash) * 8;
    int key = (int) hash;
    for (int i = 0; i < 8; i++) {
      if ((words[base + i] & (1 << ((key * SALT[i]) >>> 27))) == 0) {
        return false;
      }
    }
    return true;
  }
}
