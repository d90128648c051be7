package dev.weft.loader;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link LoaderServer}; immutable, built with {@link #builder()}, every default
 * named below.
 */
public final class LoaderServerOptions {
  /** Where segments go unless told otherwise. */
  public static final Path DEFAULT_SHM_DIR = Path.of("/dev/shm");
  /** Default number of ring slots. */
  public static final int DEFAULT_SLOTS = 64;
  /** Default slot size: 4 MiB (a slot holds one batch; the ring takes slots x size of shm). */
  public static final long DEFAULT_SLOT_SIZE = 4L << 20;
  /** Default slots a client may hold per stream. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 2;
  /** Default batches assembled ahead per stream. */
  public static final int DEFAULT_PREFETCH = 2;
  /** Default most concurrent connections. */
  public static final int DEFAULT_MAX_CLIENTS = 256;
  /** Default wait of a NEXT for a batch or a free slot before it is answered with TIMEOUT. */
  public static final Duration DEFAULT_NEXT_TIMEOUT = Duration.ofSeconds(60);
  /** Default time a handed-off slot waits for an ADOPT before it is reclaimed. */
  public static final Duration DEFAULT_HANDOFF_TIMEOUT = Duration.ofSeconds(60);
  /** Default largest batch sent inline over the socket when it does not fit a slot: 256 MiB. */
  public static final long DEFAULT_INLINE_LIMIT = 256L << 20;

  private final Path socketPath;
  private final Path shmDir;
  private final int slots;
  private final long slotSize;
  private final String token;
  private final int threads;
  private final int maxClients;
  private final int defaultMaxInFlight;
  private final int defaultPrefetch;
  private final Duration nextTimeout;
  private final Duration handoffTimeout;
  private final long inlineLimit;
  private final long decodedCacheBytes;
  private final boolean preload;
  private final long blockCacheBytes;
  private final boolean memoryMap;

  private LoaderServerOptions(Builder b) {
    decodedCacheBytes = b.decodedCacheBytes;
    preload = b.preload;
    blockCacheBytes = b.blockCacheBytes;
    memoryMap = b.memoryMap;
    socketPath = b.socketPath;
    shmDir = b.shmDir;
    slots = b.slots;
    slotSize = b.slotSize;
    token = b.token;
    threads = b.threads;
    maxClients = b.maxClients;
    defaultMaxInFlight = b.defaultMaxInFlight;
    defaultPrefetch = b.defaultPrefetch;
    nextTimeout = b.nextTimeout;
    handoffTimeout = b.handoffTimeout;
    inlineLimit = b.inlineLimit;
  }

  public static Builder builder() {
    return new Builder();
  }

  public static LoaderServerOptions defaults() {
    return builder().build();
  }

  /** The control socket's path, or null for {@code <java.io.tmpdir>/weft-<pid>-<random>.sock}. */
  public Path socketPath() {
    return socketPath;
  }

  /** The directory of the ring segment (default {@code /dev/shm}). */
  public Path shmDir() {
    return shmDir;
  }

  public int slots() {
    return slots;
  }

  public long slotSize() {
    return slotSize;
  }

  /** The token clients must present in HELLO, or null for none. */
  public String token() {
    return token;
  }

  /** Batch assembly threads (default: available processors). */
  public int threads() {
    return threads;
  }

  public int maxClients() {
    return maxClients;
  }

  public int defaultMaxInFlight() {
    return defaultMaxInFlight;
  }

  public int defaultPrefetch() {
    return defaultPrefetch;
  }

  public Duration nextTimeout() {
    return nextTimeout;
  }

  public Duration handoffTimeout() {
    return handoffTimeout;
  }

  /** Largest message sent inline when a batch does not fit a slot; 0: such a batch is an error. */
  public long inlineLimit() {
    return inlineLimit;
  }

  /**
   * Budget of the decoded fixed-width column values kept for random batches
   * ({@link DecodedColumns}; default {@link DecodedColumns#DEFAULT_BYTES}; 0: none). Used where
   * the runner opens the dataset ({@link ServeRunner}); a dataset opened by the caller has its own.
   */
  public long decodedCacheBytes() {
    return decodedCacheBytes;
  }

  /**
   * Whether {@link ServeRunner} reads the dataset's fixed-width columns into the decoded cache
   * (and warms the gather up) before it prints its addresses, when they fit the budget
   * (default true): the first epoch is then as fast as the next.
   */
  public boolean preload() {
    return preload;
  }

  /**
   * Budget of the decoded mini-blocks the dataset's readers share (random batches not gathered
   * from the decoded columns; default {@link WeftDataset#BLOCK_CACHE_BYTES}; 0: none). Used where
   * the runner opens the dataset ({@link ServeRunner}).
   */
  public long blockCacheBytes() {
    return blockCacheBytes;
  }

  /**
   * Whether the runner memory-maps the dataset's files (default false: positional reads, so the
   * file pages the server touches are not counted in its resident memory; see
   * {@link WeftDataset#open(java.util.List, org.apache.arrow.memory.BufferAllocator, long, long, boolean)}).
   */
  public boolean memoryMap() {
    return memoryMap;
  }

  /** Builds {@link LoaderServerOptions}. */
  public static final class Builder {
    private Path socketPath;
    private Path shmDir = DEFAULT_SHM_DIR;
    private int slots = DEFAULT_SLOTS;
    private long slotSize = DEFAULT_SLOT_SIZE;
    private String token;
    private int threads = Runtime.getRuntime().availableProcessors();
    private int maxClients = DEFAULT_MAX_CLIENTS;
    private int defaultMaxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private int defaultPrefetch = DEFAULT_PREFETCH;
    private Duration nextTimeout = DEFAULT_NEXT_TIMEOUT;
    private Duration handoffTimeout = DEFAULT_HANDOFF_TIMEOUT;
    private long inlineLimit = DEFAULT_INLINE_LIMIT;
    private long decodedCacheBytes = DecodedColumns.DEFAULT_BYTES;
    private boolean preload = true;
    private long blockCacheBytes = WeftDataset.BLOCK_CACHE_BYTES;
    private boolean memoryMap;

    private Builder() {}

    /** See {@link LoaderServerOptions#blockCacheBytes()}. */
    public Builder blockCacheBytes(long bytes) {
      this.blockCacheBytes = bytes;
      return this;
    }

    /** See {@link LoaderServerOptions#memoryMap()}. */
    public Builder memoryMap(boolean map) {
      this.memoryMap = map;
      return this;
    }

    /** See {@link LoaderServerOptions#decodedCacheBytes()}. */
    public Builder decodedCacheBytes(long bytes) {
      this.decodedCacheBytes = bytes;
      return this;
    }

    /** See {@link LoaderServerOptions#preload()}. */
    public Builder preload(boolean preload) {
      this.preload = preload;
      return this;
    }

    public Builder socketPath(Path socketPath) {
      this.socketPath = socketPath;
      return this;
    }

    public Builder shmDir(Path shmDir) {
      this.shmDir = Objects.requireNonNull(shmDir, "shmDir");
      return this;
    }

    public Builder slots(int slots) {
      this.slots = slots;
      return this;
    }

    public Builder slotSize(long slotSize) {
      this.slotSize = slotSize;
      return this;
    }

    public Builder token(String token) {
      this.token = token;
      return this;
    }

    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    public Builder maxClients(int maxClients) {
      this.maxClients = maxClients;
      return this;
    }

    public Builder defaultMaxInFlight(int n) {
      this.defaultMaxInFlight = n;
      return this;
    }

    public Builder defaultPrefetch(int n) {
      this.defaultPrefetch = n;
      return this;
    }

    public Builder nextTimeout(Duration d) {
      this.nextTimeout = Objects.requireNonNull(d, "nextTimeout");
      return this;
    }

    public Builder handoffTimeout(Duration d) {
      this.handoffTimeout = Objects.requireNonNull(d, "handoffTimeout");
      return this;
    }

    public Builder inlineLimit(long bytes) {
      this.inlineLimit = bytes;
      return this;
    }

    /** @throws IllegalArgumentException naming the first value out of range */
    public LoaderServerOptions build() {
      RingLayout.segmentSize(slots, slotSize);
      check(threads >= 1 && threads <= 1024, "threads must be in [1, 1024], got " + threads);
      check(maxClients >= 1 && maxClients <= 65536, "max clients must be in [1, 65536], got " + maxClients);
      check(defaultMaxInFlight >= 1 && defaultMaxInFlight <= Protocol.MAX_IN_FLIGHT,
          "default max in flight must be in [1, " + Protocol.MAX_IN_FLIGHT + "], got " + defaultMaxInFlight);
      check(defaultPrefetch >= 0 && defaultPrefetch <= Protocol.MAX_PREFETCH,
          "default prefetch must be in [0, " + Protocol.MAX_PREFETCH + "], got " + defaultPrefetch);
      check(defaultMaxInFlight <= slots, "default max in flight " + defaultMaxInFlight + " exceeds the " + slots
          + " slots of the ring");
      check(!nextTimeout.isNegative() && !nextTimeout.isZero()
          && nextTimeout.toMillis() <= Protocol.MAX_NEXT_TIMEOUT_MS, "next timeout must be in (0, 1 h]");
      check(!handoffTimeout.isNegative() && !handoffTimeout.isZero(), "handoff timeout must be > 0");
      check(inlineLimit >= 0 && inlineLimit <= Integer.MAX_VALUE - Protocol.BATCH_FIXED - Protocol.FRAME_HEADER,
          "inline limit must be in [0, 2 GiB), got " + inlineLimit);
      check(decodedCacheBytes >= 0, "decoded cache size must be >= 0, got " + decodedCacheBytes);
      check(blockCacheBytes >= 0, "block cache size must be >= 0, got " + blockCacheBytes);
      check(token == null || (!token.isEmpty()
          && token.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= Protocol.MAX_TOKEN_BYTES),
          "token must be 1.." + Protocol.MAX_TOKEN_BYTES + " UTF-8 bytes");
      return new LoaderServerOptions(this);
    }

    private static void check(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
