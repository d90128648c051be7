package dev.weft.loader;

import dev.weft.reader.WeftScanner;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Plain (decoded, decompressed) values of a dataset's fixed-width columns, kept in chunks of
 * 2^{@value #DEFAULT_CHUNK_SHIFT} rows within a byte budget, so that a random value is one array read:
 * the reader's {@code take} decodes each value through its block's encoding (FOR, ALP,
 * byte-stream-split, dictionary) every time, which costs far more than reading a plain value.
 * A chunk is read on first use with the reader's scan (so every byte is checksum-verified as
 * usual) and evicted first in, first out when the budget is full; the memory held is bounded by
 * the budget whatever the dataset's size. Shared by all streams and transports of a dataset.
 * Thread-safe: threads missing the same chunk wait for one of them to read it.
 *
 * <p>Columns served: fixed-width primitives (integers, floating point, dates, times,
 * timestamps, durations, decimals, fixed-size binary) and fixed-size lists of them
 * ({@link #supported}). Nulls are kept as validity bitmaps per chunk (none for a chunk
 * without nulls).
 */
public final class DecodedColumns {
  /**
   * Rows per chunk by default: 65,536, so that a batch's rows fall in few chunks (a lookup per
   * chunk and column, not per value) and a miss reads a long run of every projected column with
   * one scan.
   */
  public static final int DEFAULT_CHUNK_SHIFT = 16;
  /** What a chunk is charged beyond its arrays. */
  private static final long CHUNK_OVERHEAD = 96;

  /**
   * The default budget: 1 GiB, or half the JVM's heap if that is less (the chunks live on the
   * heap; with {@link WeftDataset#BLOCK_CACHE_BYTES}, at most five eighths of it are caches, the
   * rest is room for the garbage of batches and reads).
   */
  public static final long DEFAULT_BYTES = Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 2);

  /** Decoded rows {@code [first, first + rows)} of one column of one file. */
  static final class Chunk {
    /** {@code rows * width} bytes, little-endian, as in an Arrow values buffer. */
    final byte[] values;
    /** Row validity bitmap (Arrow bit order), or null if no row of the chunk is null. */
    final byte[] validity;
    /** A fixed-size list's child validity ({@code rows * listSize} bits), or null if none is null. */
    final byte[] childValidity;

    Chunk(byte[] values, byte[] validity, byte[] childValidity) {
      this.values = values;
      this.validity = validity;
      this.childValidity = childValidity;
    }

    long cost() {
      return CHUNK_OVERHEAD + values.length + (validity == null ? 0 : validity.length)
          + (childValidity == null ? 0 : childValidity.length);
    }
  }

  /** One column of the dataset: its layout and the chunk slots of each file. */
  final class Column {
    final String name;
    final Field field;
    /** Bytes of one value of the primitive (the list's child for a fixed-size list). */
    final int valueWidth;
    /** Values per row: the list size of a fixed-size list, else 1. */
    final int listSize;
    /** Bytes per row in the values buffer: {@code valueWidth * listSize}. */
    final int width;
    /** Per file: a slot per chunk. */
    final AtomicReferenceArray<Chunk>[] files;

    @SuppressWarnings("unchecked")
    Column(String name, Field field, int valueWidth, int listSize) {
      this.name = name;
      this.field = field;
      this.valueWidth = valueWidth;
      this.listSize = listSize;
      this.width = valueWidth * listSize;
      this.files = new AtomicReferenceArray[dataset.numFiles()];
      for (int f = 0; f < files.length; f++) {
        files[f] = new AtomicReferenceArray<>((int) ((dataset.fileRows(f) + chunkRows - 1) >>> chunkShift));
      }
    }

    boolean isList() {
      return field.getType() instanceof ArrowType.FixedSizeList;
    }

    /** The chunk holding local row {@code row} of file {@code file}, read if not held. */
    Chunk chunk(int file, long row) throws IOException {
      return chunk(file, row, null);
    }

    /**
     * As {@link #chunk(int, long)}; on a miss, the same rows of the columns of {@code group}
     * (may be null) that miss them too are read with the same scan.
     */
    Chunk chunk(int file, long row, Column[] group) throws IOException {
      int c = (int) (row >>> chunkShift);
      Chunk ch = files[file].get(c);
      return ch != null ? ch : loadOnce(this, file, c, group);
    }

    /** Decoded bytes of the whole column over all files. */
    long totalBytes() {
      long rows = dataset.numRows();
      long b = rows * width;
      // bitmaps only where there are nulls; budget them as if everywhere, to be safe
      if (field.isNullable()) {
        b += (rows + 7) / 8;
      }
      if (isList() && field.getChildren().get(0).isNullable()) {
        b += (rows * listSize + 7) / 8;
      }
      long chunks = 0;
      for (AtomicReferenceArray<Chunk> f : files) {
        chunks += f.length();
      }
      return b + chunks * CHUNK_OVERHEAD;
    }
  }

  private record Entry(Column column, int file, int chunk, Chunk value, long cost) {}

  private final WeftDataset dataset;
  private final long capacity;
  final int chunkShift;
  final int chunkRows;
  final long chunkMask;
  private final AtomicLong held = new AtomicLong();
  private final AtomicLong loads = new AtomicLong();
  private final AtomicLong evictions = new AtomicLong();
  private final ConcurrentLinkedQueue<Entry> fifo = new ConcurrentLinkedQueue<>();
  private final Map<String, Column> columns = new ConcurrentHashMap<>();
  /** Striped by (file, chunk): threads that miss the same chunk read it once. */
  private final Object[] loadLocks = new Object[64];

  /**
   * @param dataset whose columns are cached (not closed by this)
   * @param capacityBytes the budget; 0 disables the cache
   * @throws IllegalArgumentException if the budget is negative
   */
  public DecodedColumns(WeftDataset dataset, long capacityBytes) {
    this(dataset, capacityBytes, DEFAULT_CHUNK_SHIFT);
  }

  /** As {@link #DecodedColumns(WeftDataset, long)} with chunks of {@code 2^chunkShift} rows (tests use small ones). */
  DecodedColumns(WeftDataset dataset, long capacityBytes, int chunkShift) {
    if (capacityBytes < 0) {
      throw new IllegalArgumentException("decoded column cache size must be >= 0, got " + capacityBytes);
    }
    if (chunkShift < 3 || chunkShift > 20) {
      throw new IllegalArgumentException("chunk shift must be in [3, 20], got " + chunkShift);
    }
    this.dataset = dataset;
    this.capacity = capacityBytes;
    this.chunkShift = chunkShift;
    this.chunkRows = 1 << chunkShift;
    this.chunkMask = chunkRows - 1;
    for (int i = 0; i < loadLocks.length; i++) {
      loadLocks[i] = new Object();
    }
  }

  /** The budget in bytes. */
  public long capacityBytes() {
    return capacity;
  }

  /** Bytes held now (values, bitmaps and a fixed charge per chunk). */
  public long heldBytes() {
    return held.get();
  }

  /** Chunks read from the files so far. */
  public long loads() {
    return loads.get();
  }

  /** Chunks evicted so far. */
  public long evictions() {
    return evictions.get();
  }

  /**
   * The byte width of one value of a fixed-width primitive type, or -1 if the type is not one
   * this cache serves.
   */
  static int primitiveWidth(ArrowType t) {
    if (t instanceof ArrowType.Int i) {
      return i.getBitWidth() / 8;
    }
    if (t instanceof ArrowType.FloatingPoint f) {
      return switch (f.getPrecision()) {
        case HALF -> 2;
        case SINGLE -> 4;
        case DOUBLE -> 8;
      };
    }
    if (t instanceof ArrowType.Date d) {
      return d.getUnit() == org.apache.arrow.vector.types.DateUnit.DAY ? 4 : 8;
    }
    if (t instanceof ArrowType.Time tm) {
      return tm.getBitWidth() / 8;
    }
    if (t instanceof ArrowType.Timestamp || t instanceof ArrowType.Duration) {
      return 8;
    }
    if (t instanceof ArrowType.Decimal d) {
      return d.getBitWidth() / 8;
    }
    if (t instanceof ArrowType.FixedSizeBinary b) {
      return b.getByteWidth();
    }
    return -1;
  }

  /** Whether this cache can serve the column: a fixed-width primitive or a fixed-size list of one. */
  public static boolean supported(Field f) {
    if (f.getDictionary() != null) {
      return false;
    }
    if (f.getType() instanceof ArrowType.FixedSizeList l) {
      Field child = f.getChildren().get(0);
      return l.getListSize() > 0 && child.getDictionary() == null && child.getChildren().isEmpty()
          && primitiveWidth(child.getType()) > 0;
    }
    return f.getChildren().isEmpty() && primitiveWidth(f.getType()) > 0;
  }

  /** The column named {@code name} of the dataset, which must be {@link #supported}. */
  Column column(String name) {
    return columns.computeIfAbsent(name, n -> {
      Field f = dataset.schema().findField(n);
      if (!supported(f)) {
        throw new IllegalArgumentException("column '" + n + "' (" + dev.weft.format.TypeNames.of(f) + ") is not fixed-width");
      }
      if (f.getType() instanceof ArrowType.FixedSizeList l) {
        return new Column(n, f, primitiveWidth(f.getChildren().get(0).getType()), l.getListSize());
      }
      return new Column(n, f, primitiveWidth(f.getType()), 1);
    });
  }

  /** As {@link #load}, unless another thread loaded the chunk meanwhile (one reads, the others wait). */
  private Chunk loadOnce(Column col, int file, int c, Column[] group) throws IOException {
    synchronized (loadLocks[(file * 31 + c) & (loadLocks.length - 1)]) {
      Chunk ch = col.files[file].get(c);
      return ch != null ? ch : load(col, file, c, group);
    }
  }

  /**
   * Reads chunk {@code c} of file {@code file} of {@code col}, and of every column of
   * {@code group} that lacks it too, with one scan (a batch that misses one column's chunk
   * misses the other projected columns' chunk of the same rows as well, and a scan per column
   * would cost its setup 50 times).
   */
  private Chunk load(Column col, int file, int c, Column[] group) throws IOException {
    List<Column> cols = new java.util.ArrayList<>();
    cols.add(col);
    if (group != null) {
      for (Column g : group) {
        if (g != col && g.files[file].get(c) == null && !cols.contains(g)) {
          cols.add(g);
        }
      }
    }
    long first = (long) c << chunkShift;
    long end = Math.min(dataset.fileRows(file), first + chunkRows);
    int rows = (int) (end - first);
    int k = cols.size();
    byte[][] values = new byte[k][];
    byte[][] validity = new byte[k][];
    byte[][] childValidity = new byte[k][];
    List<String> names = new java.util.ArrayList<>(k);
    for (int j = 0; j < k; j++) {
      values[j] = new byte[rows * cols.get(j).width];
      names.add(cols.get(j).name);
    }
    int at = 0;
    try (WeftScanner s = dataset.reader(file).scan(names, Math.min(chunkRows, 8192), first, end)) {
      while (s.hasNext()) {
        try (VectorSchemaRoot r = s.nextBatch()) {
          int n = r.getRowCount();
          if (at + n > rows) {
            throw new IllegalStateException("scan of rows [" + first + ", " + end + ") of " + dataset.files().get(file)
                + " returned more rows (bug)");
          }
          for (int j = 0; j < k; j++) {
            Column cj = cols.get(j);
            FieldVector v = r.getVector(j);
            BaseFixedWidthVector data;
            if (v instanceof FixedSizeListVector l) {
              data = (BaseFixedWidthVector) l.getDataVector();
              if (l.getNullCount() > 0) {
                validity[j] = validity[j] != null ? validity[j] : allValid(rows);
                for (int i = 0; i < n; i++) {
                  if (l.isNull(i)) {
                    clear(validity[j], at + i);
                  }
                }
              }
              if (data.getNullCount() > 0) {
                childValidity[j] = childValidity[j] != null ? childValidity[j] : allValid(rows * cj.listSize);
                for (int i = 0; i < n * cj.listSize; i++) {
                  if (data.isNull(i)) {
                    clear(childValidity[j], at * cj.listSize + i);
                  }
                }
              }
            } else {
              data = (BaseFixedWidthVector) v;
              if (v.getNullCount() > 0) {
                validity[j] = validity[j] != null ? validity[j] : allValid(rows);
                for (int i = 0; i < n; i++) {
                  if (v.isNull(i)) {
                    clear(validity[j], at + i);
                  }
                }
              }
            }
            if (data.getTypeWidth() != cj.valueWidth) {
              throw new IllegalStateException("column '" + cj.name + "' reads as " + data.getTypeWidth()
                  + "-byte values, expected " + cj.valueWidth + " (bug)");
            }
            data.getDataBuffer().getBytes(0, values[j], at * cj.width, n * cj.width);
          }
          at += n;
        }
      }
    }
    if (at != rows) {
      throw new IllegalStateException("scan of rows [" + first + ", " + end + ") of " + dataset.files().get(file)
          + " returned " + at + " rows (bug)");
    }
    Chunk mine = null;
    for (int j = 0; j < k; j++) {
      Chunk ch = install(cols.get(j), file, c, new Chunk(values[j], validity[j], childValidity[j]));
      if (j == 0) {
        mine = ch;
      }
    }
    return mine;
  }

  /** Puts a freshly read chunk into its slot (within the budget); returns the chunk to use. */
  private Chunk install(Column col, int file, int c, Chunk ch) {
    loads.incrementAndGet();
    AtomicReferenceArray<Chunk> slots = col.files[file];
    if (capacity > 0 && slots.compareAndSet(c, null, ch)) {
      long cost = ch.cost();
      fifo.add(new Entry(col, file, c, ch, cost));
      if (held.addAndGet(cost) > capacity) {
        evict();
      }
      return ch;
    }
    Chunk other = slots.get(c);
    return other != null ? other : ch;
  }

  /** A bitmap of {@code bits} valid bits. */
  private static byte[] allValid(int bits) {
    byte[] b = new byte[(bits + 7) / 8];
    java.util.Arrays.fill(b, (byte) 0xFF);
    return b;
  }

  /** Marks bit {@code i} of a bitmap null. */
  private static void clear(byte[] bitmap, int i) {
    bitmap[i >>> 3] &= (byte) ~(1 << (i & 7));
  }

  private void evict() {
    long target = capacity * 3 / 4;
    while (held.get() > target) {
      Entry e = fifo.poll();
      if (e == null) {
        return;
      }
      e.column().files[e.file()].compareAndSet(e.chunk(), e.value(), null);
      held.addAndGet(-e.cost());
      evictions.incrementAndGet();
    }
  }
}
