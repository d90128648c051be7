package dev.weft.writer;

/**
 * Whether the codec (zstd, lz4) is worth running on a column node's next block stored the
 * remembered way. A codec pass is kept only where it saves 10%; on data it cannot shrink (random
 * or already dense integers, hashes, embeddings) it is pure cost: on flights-3m, zstd ran on every
 * one of the 741 blocks of {@code distance} and kept none. After {@link #FAILURES_BEFORE_SKIPPING}
 * blocks in a row where it did not pay, the codec runs only on probe blocks, with gaps that double
 * while probes keep failing (up to {@link #MAX_GAP} blocks); one block where it pays makes every
 * block try it again. Sampled blocks (full selections) always try it and teach the probe too.
 *
 * <p>The state depends only on the node's own blocks in order, so output stays deterministic however
 * nodes are scheduled. One per node writer (held by its {@link BlockChoice}).
 */
final class CodecProbe {
  /** Blocks in a row where the codec did not pay before it is skipped between probes. */
  static final int FAILURES_BEFORE_SKIPPING = 8;
  /** Most blocks skipped between two probes. */
  static final int MAX_GAP = 32;

  private int failures;
  private int gap;
  private int skipped;

  /** Whether the next block should try the codec (counts a skipped block). */
  boolean tryNext() {
    if (failures < FAILURES_BEFORE_SKIPPING || skipped >= gap) {
      skipped = 0;
      return true;
    }
    skipped++;
    return false;
  }

  /** Records whether the codec paid (its output was kept) on a block that tried it. */
  void result(boolean paid) {
    if (paid) {
      failures = 0;
      gap = 0;
      return;
    }
    failures++;
    if (failures >= FAILURES_BEFORE_SKIPPING) {
      gap = gap == 0 ? 1 : Math.min(MAX_GAP, gap * 2);
    }
  }

  /** Whether blocks are being skipped (the codec failed on the last {@link #FAILURES_BEFORE_SKIPPING}). */
  boolean skipping() {
    return failures >= FAILURES_BEFORE_SKIPPING;
  }
}
