package dev.weft.loader;

import java.util.List;
import java.util.Objects;

/**
 * What a client asks a {@link LoaderServer} for when it opens a stream: one DataLoader worker's
 * share of one rank's batches of one epoch (see {@link ShardPlan} and {@link EpochOrder}),
 * optionally resumed at a batch index. Immutable; built with {@link #builder()}.
 *
 * <pre>{@code
 * StreamRequest r = StreamRequest.builder().batchSize(256).shuffle(ShuffleOptions.global(42)).epoch(3)
 *     .rank(rank).worldSize(world).worker(w).numWorkers(k).fromBatch(resumeAt).columns(List.of("x", "y"))
 *     .build();
 * }</pre>
 */
public final class StreamRequest {
  /** Default batch size. */
  public static final int DEFAULT_BATCH_SIZE = 256;

  private final long epoch;
  private final ShuffleOptions shuffle;
  private final int batchSize;
  private final int rank;
  private final int worldSize;
  private final int worker;
  private final int numWorkers;
  private final ShardPlan.Tail tail;
  private final long fromBatch;
  private final long startPosition;
  private final List<String> columns;
  private final int maxInFlight;
  private final int prefetch;
  private final DatasetFingerprint expectedFingerprint;

  private StreamRequest(Builder b) {
    this.epoch = b.epoch;
    this.shuffle = b.shuffle;
    this.batchSize = b.batchSize;
    this.rank = b.rank;
    this.worldSize = b.worldSize;
    this.worker = b.worker;
    this.numWorkers = b.numWorkers;
    this.tail = b.tail;
    this.fromBatch = b.fromBatch;
    this.startPosition = b.startPosition;
    this.columns = b.columns == null ? null : List.copyOf(b.columns);
    this.maxInFlight = b.maxInFlight;
    this.prefetch = b.prefetch;
    this.expectedFingerprint = b.expectedFingerprint;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The epoch (default 0). */
  public long epoch() {
    return epoch;
  }

  /** How the epoch is ordered (default {@link ShuffleOptions#global(long) global(0)}). */
  public ShuffleOptions shuffle() {
    return shuffle;
  }

  /** Samples per batch (default {@value #DEFAULT_BATCH_SIZE}). */
  public int batchSize() {
    return batchSize;
  }

  /** This rank (default 0). */
  public int rank() {
    return rank;
  }

  /** Number of ranks (default 1). */
  public int worldSize() {
    return worldSize;
  }

  /** This DataLoader worker (default 0). */
  public int worker() {
    return worker;
  }

  /** Number of DataLoader workers of the rank (default 1). */
  public int numWorkers() {
    return numWorkers;
  }

  /** What happens to the samples that do not fill a batch on every rank (default drop_last). */
  public ShardPlan.Tail tail() {
    return tail;
  }

  /** The rank's batch index the iteration starts at (0, or the next unconsumed batch on resume). */
  public long fromBatch() {
    return fromBatch;
  }

  /**
   * The global position the ranks' shares start at (0: the whole epoch); see {@link ShardPlan}
   * and PROTOCOL.md section 13: resuming with another world size. {@link #fromBatch()} counts
   * from here.
   */
  public long startPosition() {
    return startPosition;
  }

  /** Projected columns in output order, or null for all columns. */
  public List<String> columns() {
    return columns;
  }

  /** Slots the client may hold at once (0: the server's default). */
  public int maxInFlight() {
    return maxInFlight;
  }

  /** Batches the server assembles ahead (-1: the server's default). */
  public int prefetch() {
    return prefetch;
  }

  /** The dataset the client expects (e.g. from a checkpoint), or null to accept any. */
  public DatasetFingerprint expectedFingerprint() {
    return expectedFingerprint;
  }

  @Override
  public String toString() {
    return "StreamRequest[epoch " + epoch + ", " + shuffle + ", batch " + batchSize + ", rank " + rank + "/" + worldSize
        + ", worker " + worker + "/" + numWorkers + ", " + tail + ", from batch " + fromBatch
        + (startPosition == 0 ? "" : " of position " + startPosition) + ", columns "
        + (columns == null ? "all" : columns) + "]";
  }

  /** Builds a {@link StreamRequest}; every value is range-checked by {@link #build()}. */
  public static final class Builder {
    private long epoch;
    private ShuffleOptions shuffle = ShuffleOptions.global(0);
    private int batchSize = DEFAULT_BATCH_SIZE;
    private int rank;
    private int worldSize = 1;
    private int worker;
    private int numWorkers = 1;
    private ShardPlan.Tail tail = ShardPlan.Tail.DROP_LAST;
    private long fromBatch;
    private long startPosition;
    private List<String> columns;
    private int maxInFlight;
    private int prefetch = -1;
    private DatasetFingerprint expectedFingerprint;

    private Builder() {}

    public Builder epoch(long epoch) {
      this.epoch = epoch;
      return this;
    }

    public Builder shuffle(ShuffleOptions shuffle) {
      this.shuffle = Objects.requireNonNull(shuffle, "shuffle");
      return this;
    }

    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    public Builder rank(int rank) {
      this.rank = rank;
      return this;
    }

    public Builder worldSize(int worldSize) {
      this.worldSize = worldSize;
      return this;
    }

    public Builder worker(int worker) {
      this.worker = worker;
      return this;
    }

    public Builder numWorkers(int numWorkers) {
      this.numWorkers = numWorkers;
      return this;
    }

    public Builder tail(ShardPlan.Tail tail) {
      this.tail = Objects.requireNonNull(tail, "tail");
      return this;
    }

    public Builder fromBatch(long fromBatch) {
      this.fromBatch = fromBatch;
      return this;
    }

    /** The global position the ranks' shares start at (0: the whole epoch). */
    public Builder startPosition(long startPosition) {
      this.startPosition = startPosition;
      return this;
    }

    /** Projected columns in output order; null for all columns. */
    public Builder columns(List<String> columns) {
      this.columns = columns;
      return this;
    }

    /** Slots the client may hold at once; 0 for the server's default. */
    public Builder maxInFlight(int maxInFlight) {
      this.maxInFlight = maxInFlight;
      return this;
    }

    /** Batches the server assembles ahead; -1 for the server's default. */
    public Builder prefetch(int prefetch) {
      this.prefetch = prefetch;
      return this;
    }

    public Builder expectedFingerprint(DatasetFingerprint fingerprint) {
      this.expectedFingerprint = fingerprint;
      return this;
    }

    /**
     * @throws IllegalArgumentException if a value is out of range (naming it and the range)
     */
    public StreamRequest build() {
      check(epoch >= 0, "epoch must be >= 0, got " + epoch);
      check(batchSize >= 1 && batchSize <= Protocol.MAX_BATCH_SIZE,
          "batch size must be in [1, " + Protocol.MAX_BATCH_SIZE + "], got " + batchSize);
      check(worldSize >= 1 && worldSize <= Protocol.MAX_WORLD_SIZE,
          "world size must be in [1, " + Protocol.MAX_WORLD_SIZE + "], got " + worldSize);
      check(rank >= 0 && rank < worldSize, "rank " + rank + " is not in [0, " + worldSize + ")");
      check(numWorkers >= 1 && numWorkers <= Protocol.MAX_WORKERS,
          "number of workers must be in [1, " + Protocol.MAX_WORKERS + "], got " + numWorkers);
      check(worker >= 0 && worker < numWorkers, "worker " + worker + " is not in [0, " + numWorkers + ")");
      check(fromBatch >= 0, "start batch must be >= 0, got " + fromBatch);
      check(startPosition >= 0, "start position must be >= 0, got " + startPosition);
      check(maxInFlight >= 0 && maxInFlight <= Protocol.MAX_IN_FLIGHT,
          "max in flight must be in [0, " + Protocol.MAX_IN_FLIGHT + "] (0: default), got " + maxInFlight);
      check(prefetch >= -1 && prefetch <= Protocol.MAX_PREFETCH,
          "prefetch must be in [-1, " + Protocol.MAX_PREFETCH + "] (-1: default), got " + prefetch);
      if (columns != null) {
        check(columns.size() <= 0xFFFF, "at most 65535 projected columns, got " + columns.size());
        for (String c : columns) {
          check(c != null && !c.isEmpty(), "a projected column name is null or empty");
        }
      }
      return new StreamRequest(this);
    }

    private static void check(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
