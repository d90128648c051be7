package dev.weft.loader;

import java.util.Objects;

/**
 * The order of one epoch: a bijective permutation of {@code [0, n)} that is a pure function of
 * (shuffle options incl. seed, epoch, dataset fingerprint, n). {@link #at(long)} gives the row
 * at any position of the epoch directly, in O(1) expected time and O(1) memory, so nothing is
 * materialized, any rank can compute its own slice, and resuming needs only the position.
 *
 * <pre>{@code
 * EpochOrder order = EpochOrder.create(dataset, ShuffleOptions.global(42), epoch);
 * long row = order.at(position);   // global row id at this position of the epoch
 * }</pre>
 *
 * <p>Global shuffle: a keyed {@link Feistel} network over the smallest power-of-two domain
 * {@code >= n} (unbalanced halves when the number of bits is odd, 6 rounds, round keys from
 * SplitMix64 over a key that absorbs seed, epoch, the 256-bit fingerprint and n) with cycle
 * walking.
 *
 * <p>Block shuffle ({@link ShuffleOptions#block}): with {@code R = ceil(n / blockSize)} runs of
 * neighbouring rows (the last may be short), a Feistel permutation {@code pi} of the runs gives
 * the run sequence {@code pi(0), pi(1), ...}; that sequence of rows is cut into windows of
 * {@code windowBlocks} consecutive runs (the last window may hold fewer runs; a window holding
 * the short run has fewer rows), and the rows within each window are permuted by a Feistel
 * permutation tweaked by the window's index. Finding a position's window needs the place of the
 * short run in the sequence, {@code pi^-1(R-1)}, computed once at construction.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class EpochOrder {
  private final long n;
  private final long epoch;
  private final ShuffleOptions options;
  private final DatasetFingerprint fingerprint;
  private final Feistel rows; // global shuffle, or within-window shuffle
  private final Feistel runs; // block shuffle: the run permutation
  // block shuffle geometry
  private final long blockSize;
  private final long windowBlocks;
  private final long numRuns;
  private final long lastLen;
  private final long deficit;
  private final long shortAt;

  private EpochOrder(long n, DatasetFingerprint fingerprint, ShuffleOptions options, long epoch) {
    if (n < 0) {
      throw new IllegalArgumentException("row count must be >= 0, got " + n);
    }
    if (n > (1L << 62)) {
      throw new IllegalArgumentException("row count " + n + " exceeds 2^62");
    }
    this.n = n;
    this.epoch = epoch;
    this.options = Objects.requireNonNull(options, "options");
    this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
    long key = 0x5EEDF00DL;
    key = Mix.absorb(key, options.seed());
    key = Mix.absorb(key, epoch);
    for (int w = 0; w < 4; w++) {
      key = Mix.absorb(key, fingerprint.prefix(w));
    }
    key = Mix.absorb(key, n);
    key = Mix.absorb(key, options.isBlock() ? options.blockSize() : 1);
    key = Mix.absorb(key, options.isBlock() ? options.windowBlocks() : 1);
    this.rows = new Feistel(Mix.absorb(key, 1));
    this.runs = new Feistel(Mix.absorb(key, 2));
    if (options.isBlock() && n > 0) {
      blockSize = options.blockSize();
      windowBlocks = options.windowBlocks();
      numRuns = (n + blockSize - 1) / blockSize;
      lastLen = n - (numRuns - 1) * blockSize;
      deficit = blockSize - lastLen;
      shortAt = runs.invert(numRuns - 1, numRuns, 0);
    } else {
      blockSize = 1;
      windowBlocks = 1;
      numRuns = n;
      lastLen = 1;
      deficit = 0;
      shortAt = 0;
    }
  }

  /**
   * The order of epoch {@code epoch} over {@code n} rows of the dataset with the given
   * fingerprint.
   */
  public static EpochOrder create(long n, DatasetFingerprint fingerprint, ShuffleOptions options, long epoch) {
    return new EpochOrder(n, fingerprint, options, epoch);
  }

  /** The order of epoch {@code epoch} over all rows of {@code dataset}. */
  public static EpochOrder create(WeftDataset dataset, ShuffleOptions options, long epoch) {
    return new EpochOrder(dataset.numRows(), dataset.fingerprint(), options, epoch);
  }

  /** Number of rows (positions) of the epoch. */
  public long size() {
    return n;
  }

  /** The epoch this order is for. */
  public long epoch() {
    return epoch;
  }

  /** The shuffle options (incl. seed) this order was made with. */
  public ShuffleOptions options() {
    return options;
  }

  /** The fingerprint of the dataset this order was made for. */
  public DatasetFingerprint fingerprint() {
    return fingerprint;
  }

  /**
   * The row at a position of the epoch.
   *
   * @throws IndexOutOfBoundsException if {@code position} is not in {@code [0, size())}
   */
  public long at(long position) {
    Objects.checkIndex(position, n);
    if (!options.shuffle()) {
      return position;
    }
    if (!options.isBlock()) {
      return rows.permute(position, n, 0);
    }
    long run = runAt(position);
    long window = run / windowBlocks;
    long firstRun = window * windowBlocks;
    long start = runStart(firstRun);
    long end = runStart(Math.min(firstRun + windowBlocks, numRuns));
    long q = start + rows.permute(position - start, end - start, window);
    long j = runAt(q);
    return runs.permute(j, numRuns, 0) * blockSize + (q - runStart(j));
  }

  /** Position in the run sequence where run slot {@code j} starts ({@code j} in [0, numRuns]). */
  private long runStart(long j) {
    return j * blockSize - (j > shortAt ? deficit : 0);
  }

  /** The run slot holding position {@code q} of the run sequence. */
  private long runAt(long q) {
    long shortStart = shortAt * blockSize;
    if (q < shortStart) {
      return q / blockSize;
    }
    if (q < shortStart + lastLen) {
      return shortAt;
    }
    return shortAt + 1 + (q - shortStart - lastLen) / blockSize;
  }

  @Override
  public String toString() {
    return "EpochOrder[n=" + n + ", epoch=" + epoch + ", " + options + ", fingerprint "
        + fingerprint.hex().substring(0, 16) + "…]";
  }
}
