package dev.weft.writer;

import dev.weft.format.Codec;

/**
 * Immutable settings of a {@link WeftWriter}; build with {@link #builder()}.
 *
 * <p>Defaults: memory budget 128 MiB, row groups of at most 1,048,576 rows, pages of 1 MiB,
 * mini-blocks of at most 16 KiB and 4,096 values, zstd level 3, encodings on, no overwriting.
 */
public final class WriterOptions {
  public static final long DEFAULT_MEMORY_BUDGET = 128L << 20;
  public static final long DEFAULT_ROW_GROUP_ROWS = 1L << 20;
  public static final int DEFAULT_PAGE_BYTES = 1 << 20;
  public static final int DEFAULT_MINI_BLOCK_BYTES = 16 << 10;
  public static final int DEFAULT_VALUES_PER_MINI_BLOCK = 4096;
  public static final Codec DEFAULT_COMPRESSION = Codec.ZSTD;
  public static final int DEFAULT_ZSTD_LEVEL = 3;

  private final long memoryBudget;
  private final long maxRowGroupRows;
  private final int targetPageBytes;
  private final int miniBlockBytes;
  private final int valuesPerMiniBlock;
  private final Codec compression;
  private final int compressionLevel;
  private final boolean overwrite;
  private final String createdBy;
  private final boolean encodings;
  private final boolean sharedDictionaries;
  private final boolean foldedSpans;
  private final dev.weft.index.IndexOptions index;
  private final int threads;

  private WriterOptions(Builder b) {
    this.threads = b.threads;
    this.index = new dev.weft.index.IndexOptions(b.zoneMaps, b.zoneMapRows, b.bloomColumns, b.bloomAllFpp);
    this.encodings = b.encodings;
    this.sharedDictionaries = b.sharedDictionaries;
    this.foldedSpans = b.foldedSpans;
    this.memoryBudget = b.memoryBudget;
    this.maxRowGroupRows = b.maxRowGroupRows;
    this.targetPageBytes = b.targetPageBytes;
    this.miniBlockBytes = b.miniBlockBytes;
    this.valuesPerMiniBlock = b.valuesPerMiniBlock;
    this.compression = b.compression;
    this.compressionLevel = b.compressionLevel;
    this.overwrite = b.overwrite;
    this.createdBy = b.createdBy;
  }

  public static Builder builder() {
    return new Builder();
  }

  public static WriterOptions defaults() {
    return builder().build();
  }

  /** Upper bound of the memory the writer allocates (buffered row group and scratch). */
  public long memoryBudget() {
    return memoryBudget;
  }

  /** A row group closes at this many rows even if the budget is not reached. */
  public long maxRowGroupRows() {
    return maxRowGroupRows;
  }

  /** A page closes before its mini-blocks would exceed this many stored bytes (one block may). */
  public int targetPageBytes() {
    return targetPageBytes;
  }

  /**
   * A mini-block closes before exceeding this many raw bytes (unless one row alone is larger).
   * For very wide schemas the writer lowers it so that one pending block per column node fits in
   * a sixteenth of the memory budget.
   */
  public int miniBlockBytes() {
    return miniBlockBytes;
  }

  /** A mini-block closes before exceeding this many values (unless one row alone has more). */
  public int valuesPerMiniBlock() {
    return valuesPerMiniBlock;
  }

  public Codec compression() {
    return compression;
  }

  public int compressionLevel() {
    return compressionLevel;
  }

  /** Whether {@link WeftWriter#close()} may replace an existing file at the final path. */
  public boolean overwrite() {
    return overwrite;
  }

  public String createdBy() {
    return createdBy;
  }

  /**
   * Whether mini-blocks may be stored encoded (format 2.0: frame of reference, delta, run-length,
   * dictionary, byte-stream-split, ...), chosen per block where it saves at least 10% over the
   * plain block (compressed or not). Off: every block is plain, as in format 1.0.
   */
  public boolean encodings() {
    return encodings;
  }

  /**
   * Whether blocks may store codes into a dictionary shared by their node's row group (format
   * 4.0; default true, only with {@link #encodings()}): chosen per block where it beats the
   * per-block encodings; see the writer's {@code ChunkDictionary}.
   */
  public boolean sharedDictionaries() {
    return sharedDictionaries;
  }

  /**
   * Which scheme the writer tries beside UP for images on a zero background (FIXED values of
   * widths other than 1, 2, 4, 8): SPAN_FOLD (format 6.0; the default, true) or 5.0's SPAN.
   * SPAN_FOLD is about 1% smaller on Fashion-MNIST. Readers with the JDK's Vector API decode it as
   * fast as SPAN (the loader server, {@code weft serve}; see
   * {@code dev.weft.format.encoding.VectorDecoding}); others about 2.5x slower (an 8-byte lane
   * costs about 25 operations instead of 7), where a single-threaded scan of Fashion-MNIST drops
   * from about 1.05x pyarrow's Parquet read to about 0.7x. {@code weft convert --favor speed}
   * turns it off.
   */
  public boolean foldedSpans() {
    return foldedSpans;
  }

  /**
   * The index (format 2.1) the writer adds: zone maps for every column (on by default, zones of
   * 4,096 rows) and bloom filters for the columns that ask for them.
   */
  public dev.weft.index.IndexOptions index() {
    return index;
  }

  /**
   * Threads that encode and compress the columns of a batch at once (default 1: the calling
   * thread alone). The bytes written do not depend on it.
   */
  public int threads() {
    return threads;
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.threads = threads;
    b.zoneMaps = index.zoneMaps();
    b.zoneMapRows = index.zoneRows();
    b.bloomColumns.putAll(index.bloomColumns());
    b.bloomAllFpp = index.allColumnsFpp();
    b.memoryBudget = memoryBudget;
    b.maxRowGroupRows = maxRowGroupRows;
    b.targetPageBytes = targetPageBytes;
    b.miniBlockBytes = miniBlockBytes;
    b.valuesPerMiniBlock = valuesPerMiniBlock;
    b.compression = compression;
    b.compressionLevel = compressionLevel;
    b.overwrite = overwrite;
    b.createdBy = createdBy;
    b.encodings = encodings;
    b.sharedDictionaries = sharedDictionaries;
    b.foldedSpans = foldedSpans;
    return b;
  }

  @Override
  public String toString() {
    return "WriterOptions{memoryBudget=" + memoryBudget + ", maxRowGroupRows=" + maxRowGroupRows
        + ", targetPageBytes=" + targetPageBytes + ", miniBlockBytes=" + miniBlockBytes
        + ", valuesPerMiniBlock=" + valuesPerMiniBlock + ", compression=" + compression
        + ", compressionLevel=" + compressionLevel + ", encodings=" + encodings
        + (sharedDictionaries ? "" : ", sharedDictionaries=false") + (foldedSpans ? "" : ", foldedSpans=false")
        + ", overwrite=" + overwrite
        + ", threads=" + threads + "}";
  }

  /** Builder with named defaults; every setter validates its argument. */
  public static final class Builder {
    private long memoryBudget = DEFAULT_MEMORY_BUDGET;
    private long maxRowGroupRows = DEFAULT_ROW_GROUP_ROWS;
    private int targetPageBytes = DEFAULT_PAGE_BYTES;
    private int miniBlockBytes = DEFAULT_MINI_BLOCK_BYTES;
    private int valuesPerMiniBlock = DEFAULT_VALUES_PER_MINI_BLOCK;
    private Codec compression = DEFAULT_COMPRESSION;
    private int compressionLevel = DEFAULT_ZSTD_LEVEL;
    private boolean overwrite = false;
    private String createdBy = "weft-java";
    private boolean encodings = true;
    private boolean sharedDictionaries = true;
    private boolean foldedSpans = true;
    private boolean zoneMaps = true;
    private int zoneMapRows = dev.weft.index.IndexOptions.DEFAULT_ZONE_ROWS;
    private final java.util.Map<String, Double> bloomColumns = new java.util.HashMap<>();
    private double bloomAllFpp = Double.NaN;
    private int threads = 1;

    private Builder() {}

    /**
     * Threads encoding columns in parallel, 1 to 64 (default 1); the output is byte-identical
     * for any value. Each extra thread holds its own scratch buffers within the memory budget.
     */
    public Builder threads(int threads) {
      if (threads < 1 || threads > 64) {
        throw new IllegalArgumentException("writer threads must be in [1, 64], got " + threads);
      }
      this.threads = threads;
      return this;
    }

    /** Whether zone maps (min, max, null and NaN counts per zone, row group and file) are written (default true). */
    public Builder zoneMaps(boolean on) {
      this.zoneMaps = on;
      return this;
    }

    /** Rows per zone of the zone maps (default 4,096), at least 1. */
    public Builder zoneMapRows(int rows) {
      if (rows < 1) {
        throw new IllegalArgumentException("zone map rows must be positive, got " + rows);
      }
      this.zoneMapRows = rows;
      return this;
    }

    /** A split-block bloom filter per row group for {@code column}, at false-positive rate {@code fpp} in (0, 1). */
    public Builder bloomFilter(String column, double fpp) {
      bloomColumns.put(java.util.Objects.requireNonNull(column, "column"), dev.weft.index.IndexOptions.checkFpp(fpp));
      return this;
    }

    /** Bloom filters for every column with orderable non-bool values, at rate {@code fpp}. */
    public Builder bloomFilters(double fpp) {
      this.bloomAllFpp = dev.weft.index.IndexOptions.checkFpp(fpp);
      return this;
    }

    /** Whether blocks may be stored encoded (default true); see {@link WriterOptions#encodings()}. */
    public Builder encodings(boolean encodings) {
      this.encodings = encodings;
      return this;
    }

    /** Whether blocks may use shared dictionaries (default true); see {@link WriterOptions#sharedDictionaries()}. */
    public Builder sharedDictionaries(boolean sharedDictionaries) {
      this.sharedDictionaries = sharedDictionaries;
      return this;
    }

    /** SPAN_FOLD (default, true) or SPAN (false) for images on a zero background; see {@link WriterOptions#foldedSpans()}. */
    public Builder foldedSpans(boolean foldedSpans) {
      this.foldedSpans = foldedSpans;
      return this;
    }

    /** At least 1 MiB. */
    public Builder memoryBudget(long bytes) {
      if (bytes < (1 << 20)) {
        throw new IllegalArgumentException("memory budget must be at least 1 MiB, got " + bytes);
      }
      this.memoryBudget = bytes;
      return this;
    }

    public Builder maxRowGroupRows(long rows) {
      if (rows < 1) {
        throw new IllegalArgumentException("row group rows must be positive, got " + rows);
      }
      this.maxRowGroupRows = rows;
      return this;
    }

    public Builder targetPageBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("page size must be at least 1 KiB, got " + bytes);
      }
      this.targetPageBytes = bytes;
      return this;
    }

    /** Between 256 bytes and 1 MiB. */
    public Builder miniBlockBytes(int bytes) {
      if (bytes < 256 || bytes > (1 << 20)) {
        throw new IllegalArgumentException("mini-block size must be in [256, 1048576], got " + bytes);
      }
      this.miniBlockBytes = bytes;
      return this;
    }

    /** Between 8 and 1,048,576. */
    public Builder valuesPerMiniBlock(int values) {
      if (values < 8 || values > (1 << 20)) {
        throw new IllegalArgumentException("values per mini-block must be in [8, 1048576], got " + values);
      }
      this.valuesPerMiniBlock = values;
      return this;
    }

    /** Codec and its level (zstd: -7 to 22, default 3; lz4: 0 = fast, 1-17 = high compression). */
    public Builder compression(Codec codec, int level) {
      if (codec == null) {
        throw new IllegalArgumentException("codec must not be null");
      }
      if (codec == Codec.ZSTD && (level < -7 || level > 22)) {
        throw new IllegalArgumentException("zstd level must be in [-7, 22], got " + level);
      }
      if (codec == Codec.LZ4 && (level < 0 || level > 17)) {
        throw new IllegalArgumentException("lz4 level must be in [0, 17], got " + level);
      }
      this.compression = codec;
      this.compressionLevel = level;
      return this;
    }

    /** Codec with its default level (zstd 3, lz4 fast). */
    public Builder compression(Codec codec) {
      return compression(codec, codec == Codec.ZSTD ? DEFAULT_ZSTD_LEVEL : 0);
    }

    public Builder overwrite(boolean overwrite) {
      this.overwrite = overwrite;
      return this;
    }

    public Builder createdBy(String createdBy) {
      if (createdBy == null || createdBy.length() > 1000) {
        throw new IllegalArgumentException("createdBy must be a string of at most 1000 chars");
      }
      this.createdBy = createdBy;
      return this;
    }

    public WriterOptions build() {
      return new WriterOptions(this);
    }
  }
}
