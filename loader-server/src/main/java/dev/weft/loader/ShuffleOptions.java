package dev.weft.loader;

/**
 * How an {@link EpochOrder} orders the rows of an epoch.
 *
 * <ul>
 *   <li>{@link #none()}: no shuffle, position p is row p;
 *   <li>{@link #global(long)}: a uniform-looking pseudo-random permutation of all rows;
 *   <li>{@link #block(long, int, int)}: block shuffle for data that is not in memory: rows are
 *       grouped in runs of {@code blockSize} neighbouring rows, the runs are permuted, and the rows
 *       of each window of {@code windowBlocks} consecutive (permuted) runs are shuffled among
 *       themselves. A window's rows come from {@code windowBlocks} runs of contiguous rows, so a
 *       reader touches few pages per window; {@code blockSize = 1} is a global shuffle.
 * </ul>
 *
 * @param shuffle whether to shuffle at all
 * @param seed the user's seed (combined with the epoch and the dataset fingerprint)
 * @param blockSize rows per run (1: no blocks)
 * @param windowBlocks runs per window whose rows are shuffled together (used when blockSize > 1)
 */
public record ShuffleOptions(boolean shuffle, long seed, int blockSize, int windowBlocks) {

  public ShuffleOptions {
    if (blockSize < 1) {
      throw new IllegalArgumentException("block size must be >= 1, got " + blockSize);
    }
    if (windowBlocks < 1) {
      throw new IllegalArgumentException("window must hold >= 1 block, got " + windowBlocks);
    }
  }

  /** No shuffle: the identity order. */
  public static ShuffleOptions none() {
    return new ShuffleOptions(false, 0, 1, 1);
  }

  /** A global shuffle of all rows. */
  public static ShuffleOptions global(long seed) {
    return new ShuffleOptions(true, seed, 1, 1);
  }

  /** A block shuffle (see the class documentation). */
  public static ShuffleOptions block(long seed, int blockSize, int windowBlocks) {
    return new ShuffleOptions(true, seed, blockSize, windowBlocks);
  }

  /** Whether this is a block shuffle (runs of more than one row). */
  public boolean isBlock() {
    return shuffle && blockSize > 1;
  }
}
