package dev.weft.loader;

import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.PrimitiveIterator;

/**
 * Which positions of an epoch's global order form which batch of one rank.
 *
 * <p>Rank {@code r} of {@code W} ranks takes the global positions {@code r, r+W, r+2W, ...}
 * (strided, so its share depends only on {@code W} and {@code r}), and cuts them into batches of
 * {@code B}: batch {@code j} holds its samples {@code j*B .. j*B+B-1}, i.e. global positions
 * {@code r + W*(j*B + k)} for {@code k < B}. Every rank gets the same number of batches:
 *
 * <ul>
 *   <li>{@link Tail#DROP_LAST} (default): {@code floor(floor(N/W)/B)} batches; the tail of the
 *       global order that does not fill a batch on every rank is skipped this epoch. The samples
 *       used are exactly global positions {@code [0, W*B*batches)}.
 *   <li>{@link Tail#PAD}: {@code ceil(ceil(N/W)/B)} batches; positions past the end wrap around
 *       to the start of the global order (position {@code q} reads {@code q mod N}), so every
 *       sample is used and a few are used twice.
 * </ul>
 *
 * <p>DataLoader worker {@code w} of {@code K} produces the rank's batches {@code j} with
 * {@code j mod K == w}. A DataLoader that takes batches from its workers round-robin therefore
 * hands the training loop batches {@code 0, 1, 2, ...} whatever {@code K} is: changing the number
 * of workers does not change the samples a rank sees, nor their order. Resuming from batch
 * {@code j} of an epoch restarts that round-robin at {@code j}: worker {@code w} then produces
 * {@code j + w, j + w + K, ...} ({@link #batchesOfWorker(int, int, long)}), so the training loop
 * again receives {@code j, j+1, ...} in order, with any {@code K}.
 *
 * <p><b>Start position.</b> A plan may deal only the positions {@code [P, N)} of the global order
 * ({@link #create(long, int, int, int, Tail, long)}): batch {@code j} of rank {@code r} then holds
 * positions {@code P + r + W*(j*B + k)}, and the batch counts above use {@code N - P} rows. A job
 * whose ranks all consumed their batch {@code j} has consumed exactly the positions
 * {@code [0, resumePosition(j))}, whatever its world size; a job restarted with another world
 * size (or batch size) and {@code P = resumePosition(j)} receives exactly the rest of the epoch.
 * With {@code P = 0} (the default) the plan is as described above.
 *
 * <p>The plan does not depend on the epoch or the shuffle: combine it with an
 * {@link EpochOrder} to get row ids ({@link #rowIdsOfBatch}). Instances are immutable.
 */
public final class ShardPlan {
  /** What to do with the samples that do not fill a batch on every rank. */
  public enum Tail {
    /** Skip them (every rank gets {@code floor(floor(N/W)/B)} batches). */
    DROP_LAST,
    /** Fill the last batches by wrapping around to the start of the global order. */
    PAD
  }

  private final long numRows;
  private final int rank;
  private final int worldSize;
  private final int batchSize;
  private final Tail tail;
  private final long startPosition;
  private final long batchesPerRank;

  private ShardPlan(long numRows, int rank, int worldSize, int batchSize, Tail tail, long startPosition) {
    if (numRows < 0) {
      throw new IllegalArgumentException("row count must be >= 0, got " + numRows);
    }
    if (worldSize < 1) {
      throw new IllegalArgumentException("world size must be >= 1, got " + worldSize);
    }
    if (rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("rank " + rank + " is not in [0, " + worldSize + ")");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (startPosition < 0 || startPosition > numRows) {
      throw new IllegalArgumentException("start position " + startPosition + " is not in [0, " + numRows + "]");
    }
    this.numRows = numRows;
    this.startPosition = startPosition;
    this.rank = rank;
    this.worldSize = worldSize;
    this.batchSize = batchSize;
    this.tail = Objects.requireNonNull(tail, "tail");
    long rest = numRows - startPosition;
    if (tail == Tail.DROP_LAST) {
      batchesPerRank = rest / worldSize / batchSize;
    } else {
      long perRank = (rest + worldSize - 1) / worldSize;
      batchesPerRank = (perRank + batchSize - 1) / batchSize;
    }
  }

  /**
   * The plan of rank {@code rank} of {@code worldSize} over an epoch of {@code numRows} rows.
   *
   * @throws IllegalArgumentException if a count is out of range or rank is not in [0, worldSize)
   */
  public static ShardPlan create(long numRows, int rank, int worldSize, int batchSize, Tail tail) {
    return new ShardPlan(numRows, rank, worldSize, batchSize, tail, 0);
  }

  /**
   * The plan of rank {@code rank} of {@code worldSize} over the positions
   * {@code [startPosition, numRows)} of an epoch of {@code numRows} rows (see the class
   * documentation: resuming with another world size).
   *
   * @throws IllegalArgumentException if a count is out of range, rank is not in [0, worldSize),
   *     or startPosition is not in [0, numRows]
   */
  public static ShardPlan create(long numRows, int rank, int worldSize, int batchSize, Tail tail,
      long startPosition) {
    return new ShardPlan(numRows, rank, worldSize, batchSize, tail, startPosition);
  }

  /** {@link #create} with {@link Tail#DROP_LAST}. */
  public static ShardPlan create(long numRows, int rank, int worldSize, int batchSize) {
    return new ShardPlan(numRows, rank, worldSize, batchSize, Tail.DROP_LAST, 0);
  }

  /** Rows of the epoch the plan shards. */
  public long numRows() {
    return numRows;
  }

  /** This rank, in [0, worldSize). */
  public int rank() {
    return rank;
  }

  /** Number of ranks. */
  public int worldSize() {
    return worldSize;
  }

  /** Samples per batch. */
  public int batchSize() {
    return batchSize;
  }

  /** What happens to the samples that do not fill a batch on every rank. */
  public Tail tail() {
    return tail;
  }

  /** The first global position the plan deals (0 unless resuming with another world size). */
  public long startPosition() {
    return startPosition;
  }

  /**
   * The global position to resume the epoch at once every rank consumed its batch {@code j}:
   * {@code startPosition + worldSize * batchSize * (j + 1)}, capped at {@link #numRows()}.
   * Positions {@code [0, resumePosition(j))} have then been consumed (with {@link Tail#PAD}, some
   * of them twice at the end of the epoch).
   *
   * @throws IndexOutOfBoundsException if {@code j} is not in {@code [0, batchesPerRank())}
   */
  public long resumePosition(long j) {
    Objects.checkIndex(j, batchesPerRank);
    long consumed = (long) worldSize * batchSize * (j + 1);
    return consumed >= numRows - startPosition ? numRows : startPosition + consumed;
  }

  /** Batches of every rank in one epoch (the same for all ranks). */
  public long batchesPerRank() {
    return batchesPerRank;
  }

  /**
   * The global order positions of this rank's batch {@code j}, in batch order.
   *
   * @throws IndexOutOfBoundsException if {@code j} is not in {@code [0, batchesPerRank())}
   */
  public long[] positionsOfBatch(long j) {
    Objects.checkIndex(j, batchesPerRank);
    long[] out = new long[batchSize];
    long q = startPosition + rank + worldSize * (j * batchSize);
    for (int k = 0; k < batchSize; k++, q += worldSize) {
      out[k] = q < numRows ? q : q % numRows;
    }
    return out;
  }

  /**
   * The global row ids of this rank's batch {@code j} in the given epoch order, in batch order.
   *
   * @throws IllegalArgumentException if the order is not over {@link #numRows()} rows
   */
  public long[] rowIdsOfBatch(EpochOrder order, long j) {
    checkOrder(order);
    long[] ids = positionsOfBatch(j);
    for (int k = 0; k < ids.length; k++) {
      ids[k] = order.at(ids[k]);
    }
    return ids;
  }

  /** The tag of this rank's batch {@code j} in the given epoch order. */
  public BatchTag tag(EpochOrder order, long j) {
    checkOrder(order);
    Objects.checkIndex(j, batchesPerRank);
    long q = startPosition + rank + worldSize * (j * batchSize);
    return new BatchTag(order.fingerprint(), order.epoch(), j, q < numRows ? q : q % numRows);
  }

  private void checkOrder(EpochOrder order) {
    if (order.size() != numRows) {
      throw new IllegalArgumentException("the epoch order has " + order.size() + " rows, the shard plan "
          + numRows);
    }
  }

  /**
   * Number of the batches {@link #batchesOfWorker(int, int, long)} gives for the same arguments.
   */
  public long numBatchesOfWorker(int worker, int numWorkers, long fromBatch) {
    checkWorker(worker, numWorkers, fromBatch);
    long first = fromBatch + worker;
    return first >= batchesPerRank ? 0 : (batchesPerRank - 1 - first) / numWorkers + 1;
  }

  /**
   * The rank's batch indices that worker {@code worker} of {@code numWorkers} produces when the
   * rank's iteration starts at batch {@code fromBatch} (0 for a whole epoch, the next unconsumed
   * batch when resuming): {@code fromBatch + worker + i*numWorkers} for {@code i = 0, 1, ...}
   * while below {@link #batchesPerRank()}, i.e. the {@code j >= fromBatch} with
   * {@code (j - fromBatch) mod numWorkers == worker} ({@code j mod numWorkers == worker} for a
   * whole epoch). Taking one batch from each worker in turn, starting with worker 0, yields
   * batches {@code fromBatch, fromBatch+1, ...} in order, as a PyTorch DataLoader does.
   */
  public PrimitiveIterator.OfLong batchesOfWorker(int worker, int numWorkers, long fromBatch) {
    checkWorker(worker, numWorkers, fromBatch);
    long first = fromBatch + worker;
    return new PrimitiveIterator.OfLong() {
      private long next = first;

      @Override
      public boolean hasNext() {
        return next < batchesPerRank;
      }

      @Override
      public long nextLong() {
        if (next >= batchesPerRank) {
          throw new NoSuchElementException();
        }
        long j = next;
        next += numWorkers;
        return j;
      }
    };
  }

  private static void checkWorker(int worker, int numWorkers, long fromBatch) {
    if (fromBatch < 0) {
      throw new IllegalArgumentException("batch index must be >= 0, got " + fromBatch);
    }
    if (numWorkers < 1) {
      throw new IllegalArgumentException("number of workers must be >= 1, got " + numWorkers);
    }
    if (worker < 0 || worker >= numWorkers) {
      throw new IllegalArgumentException("worker " + worker + " is not in [0, " + numWorkers + ")");
    }
  }

  @Override
  public String toString() {
    return "ShardPlan[rows=" + numRows + ", rank " + rank + "/" + worldSize + ", batch " + batchSize + ", "
        + tail + (startPosition == 0 ? "" : ", from position " + startPosition) + ", " + batchesPerRank
        + " batches per rank]";
  }
}
