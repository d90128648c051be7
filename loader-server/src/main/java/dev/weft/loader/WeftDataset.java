package dev.weft.loader;

import dev.weft.format.CorruptFileException;
import dev.weft.format.FileHeader;
import dev.weft.format.FileTail;
import dev.weft.format.WeftFormat;
import dev.weft.reader.WeftReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One or more Weft files with the same schema, addressed by a global row id.
 *
 * <pre>{@code
 * try (WeftDataset ds = WeftDataset.open(List.of(Path.of("train/")))) {
 *   long n = ds.numRows();                   // rows of all files
 *   int f = ds.fileOf(12345);                // which file holds global row 12345
 *   long local = 12345 - ds.firstRow(f);     // its row within that file
 * }
 * }</pre>
 *
 * <p>Files are taken in the order given; a directory stands for every regular file named
 * {@code *.weft} below it (recursively), sorted by path, so the order, the global row ids and the
 * {@link #fingerprint() fingerprint} are deterministic. Global row id = the file's first row
 * (the rows of all files before it) + the row within the file. Empty files are allowed.
 *
 * <p>One {@link WeftReader} is opened per file and shared by all users (readers are thread-safe),
 * so a dataset is safe for concurrent use until {@link #close()}. All files must have the same
 * schema; opening checks that, reading only each file's header, tail, footer and schema.
 *
 * <p>Memory: the files are read with positional reads, not mapped (unless opened with
 * {@code memoryMap} true), and what is kept is bounded by two budgets given at open, not by the
 * dataset's size: the decoded column values ({@link DecodedColumns}) and the decoded mini-blocks
 * the readers share ({@link dev.weft.reader.BlockCache}); besides them only metadata (block
 * tables, a few bytes per mini-block touched) grows with the data read.
 */
public final class WeftDataset implements AutoCloseable {
  private final List<Path> files;
  private final List<WeftReader> readers;
  /** {@code starts[i]} = global id of file i's first row; {@code starts[numFiles]} = numRows. */
  private final long[] starts;
  private final Schema schema;
  private final DatasetFingerprint fingerprint;
  private final BufferAllocator allocator;
  private final boolean ownsAllocator;
  private final DecodedColumns decoded;
  private final dev.weft.reader.BlockCache blockCache;
  private final boolean memoryMapped;

  private WeftDataset(List<Path> files, List<WeftReader> readers, long[] starts, Schema schema,
      DatasetFingerprint fingerprint, BufferAllocator allocator, boolean ownsAllocator, long decodedCacheBytes,
      int decodedChunkShift, dev.weft.reader.BlockCache blockCache, boolean memoryMapped) {
    this.decoded = new DecodedColumns(this, decodedCacheBytes, decodedChunkShift);
    this.blockCache = blockCache;
    this.memoryMapped = memoryMapped;
    this.files = files;
    this.readers = readers;
    this.starts = starts;
    this.schema = schema;
    this.fingerprint = fingerprint;
    this.allocator = allocator;
    this.ownsAllocator = ownsAllocator;
  }

  /** Opens a dataset with a private allocator, closed with the dataset. */
  public static WeftDataset open(List<Path> paths) throws IOException {
    return open(paths, null);
  }

  /**
   * Bytes of decoded mini-blocks kept for reuse, shared by the readers of all files of a dataset:
   * random batches parse every block they touch, and parsing costs far more than reading a value.
   * 256 MiB, or an eighth of the JVM's heap if that is less (decompressed blocks live on the heap).
   */
  public static final long BLOCK_CACHE_BYTES = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 8);

  /**
   * Opens a dataset.
   *
   * @param paths .weft files and/or directories of them (see the class documentation)
   * @param allocator where batches read from the dataset are allocated (null: a private one,
   *     closed with the dataset); the caller keeps ownership of a given allocator
   * @throws IllegalArgumentException if no file is found, a file is listed twice, or two files
   *     have different schemas (naming both files and the first differing column)
   * @throws IOException if a file cannot be read or is not a valid Weft file
   */
  public static WeftDataset open(List<Path> paths, BufferAllocator allocator) throws IOException {
    return open(paths, allocator, DecodedColumns.DEFAULT_BYTES);
  }

  /**
   * Opens a dataset, as {@link #open(List, BufferAllocator)}, with a given budget for the
   * decoded values of fixed-width columns kept for random batches ({@link #decodedColumns()};
   * 0 turns that off).
   */
  public static WeftDataset open(List<Path> paths, BufferAllocator allocator, long decodedCacheBytes)
      throws IOException {
    return open(paths, allocator, decodedCacheBytes, DecodedColumns.DEFAULT_CHUNK_SHIFT);
  }

  /**
   * Opens a dataset with given memory settings.
   *
   * @param decodedCacheBytes budget of decoded fixed-width column values ({@link #decodedColumns()}; 0: none)
   * @param blockCacheBytes budget of the decoded mini-blocks all files' readers share (random
   *     batches that are not gathered from the decoded columns parse the blocks they touch); 0: none
   * @param memoryMap whether the files are memory-mapped ({@link dev.weft.reader.ReaderOptions#memoryMap});
   *     false (the default of the other {@code open} methods and of the server) reads them with
   *     positional reads, so that the pages of a dataset larger than memory that the server touches
   *     are not counted in its resident memory
   */
  public static WeftDataset open(List<Path> paths, BufferAllocator allocator, long decodedCacheBytes,
      long blockCacheBytes, boolean memoryMap) throws IOException {
    return open(paths, allocator, decodedCacheBytes, DecodedColumns.DEFAULT_CHUNK_SHIFT, blockCacheBytes, memoryMap);
  }

  /** As {@link #open(List, BufferAllocator, long)} with decoded chunks of {@code 2^chunkShift} rows (tests). */
  static WeftDataset open(List<Path> paths, BufferAllocator allocator, long decodedCacheBytes, int chunkShift)
      throws IOException {
    return open(paths, allocator, decodedCacheBytes, chunkShift, BLOCK_CACHE_BYTES, false);
  }

  private static WeftDataset open(List<Path> paths, BufferAllocator allocator, long decodedCacheBytes, int chunkShift,
      long blockCacheBytes, boolean memoryMap) throws IOException {
    if (decodedCacheBytes < 0) {
      throw new IllegalArgumentException("decoded column cache size must be >= 0, got " + decodedCacheBytes);
    }
    if (blockCacheBytes < 0) {
      throw new IllegalArgumentException("block cache size must be >= 0, got " + blockCacheBytes);
    }
    List<Path> files = resolve(paths);
    boolean own = allocator == null;
    BufferAllocator alloc = own ? new RootAllocator() : allocator;
    List<WeftReader> readers = new ArrayList<>();
    dev.weft.reader.ReaderOptions options;
    try {
      List<DatasetFingerprint.FileFacts> facts = new ArrayList<>();
      long[] starts = new long[files.size() + 1];
      Schema schema = null;
      // one cache for all files: the server's memory does not grow with the number of files
      options = dev.weft.reader.ReaderOptions.defaults()
          .withBlockCache(dev.weft.reader.BlockCache.create(blockCacheBytes)).withMemoryMap(memoryMap);
      for (int i = 0; i < files.size(); i++) {
        Path file = files.get(i);
        TailFacts tf = readHeaderAndTail(file);
        WeftReader r = WeftReader.open(file, alloc, options);
        readers.add(r);
        Schema s = r.schema();
        if (schema == null) {
          schema = s;
        } else {
          checkSameSchema(files.get(0), schema, file, s);
        }
        starts[i + 1] = Math.addExact(starts[i], r.numRows());
        facts.add(new DatasetFingerprint.FileFacts(file.getFileName().toString(), tf.size, r.numRows(),
            tf.fileId, tf.footerCrc));
      }
      return new WeftDataset(List.copyOf(files), List.copyOf(readers), starts, schema,
          DatasetFingerprint.compute(facts), alloc, own, decodedCacheBytes, chunkShift, options.blockCache(), memoryMap);
    } catch (IOException | RuntimeException | Error e) {
      for (WeftReader r : readers) {
        try {
          r.close();
        } catch (IOException | RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      if (own) {
        alloc.close();
      }
      throw e;
    }
  }

  /**
   * The files a list of paths stands for, in dataset order: files as given, directories replaced
   * by the {@code *.weft} files below them sorted by path.
   *
   * @throws IllegalArgumentException if there are none, or a file appears twice
   * @throws NoSuchFileException if a path does not exist
   */
  public static List<Path> resolve(List<Path> paths) throws IOException {
    Objects.requireNonNull(paths, "paths");
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("a dataset needs at least one .weft file or directory");
    }
    List<Path> out = new ArrayList<>();
    for (Path p : paths) {
      Path abs = p.toAbsolutePath().normalize();
      if (Files.isDirectory(abs)) {
        List<Path> found;
        try (Stream<Path> s = Files.walk(abs)) {
          found = s.filter(f -> f.getFileName().toString().endsWith(".weft") && Files.isRegularFile(f))
              .sorted().toList();
        }
        if (found.isEmpty()) {
          throw new IllegalArgumentException("directory " + abs + " contains no .weft files");
        }
        out.addAll(found);
      } else if (Files.exists(abs)) {
        out.add(abs);
      } else {
        throw new NoSuchFileException(abs.toString(), null, "no such Weft file or directory");
      }
    }
    Set<Path> seen = new HashSet<>();
    for (Path f : out) {
      if (!seen.add(f.toRealPath())) {
        throw new IllegalArgumentException("file " + f + " is part of the dataset twice");
      }
    }
    return out;
  }

  private record TailFacts(long size, byte[] fileId, int footerCrc) {}

  private static TailFacts readHeaderAndTail(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < WeftFormat.HEADER_LENGTH + WeftFormat.TAIL_LENGTH) {
        throw CorruptFileException.at(file, null, 0, "file of " + size + " bytes is too short to be a Weft file");
      }
      ByteBuffer head = readFully(ch, 0, WeftFormat.HEADER_LENGTH);
      ByteBuffer tail = readFully(ch, size - WeftFormat.TAIL_LENGTH, WeftFormat.TAIL_LENGTH);
      FileHeader h = FileHeader.decode(head, file);
      FileTail t = FileTail.decode(tail, file, size);
      return new TailFacts(size, h.fileId(), t.footerCrc());
    }
  }

  private static ByteBuffer readFully(FileChannel ch, long pos, int len) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (ch.read(b, pos + b.position()) < 0) {
        throw new IOException("unexpected end of file reading " + len + " bytes at " + pos);
      }
    }
    return b.flip();
  }

  private static void checkSameSchema(Path firstFile, Schema first, Path file, Schema s) {
    List<Field> a = first.getFields();
    List<Field> b = s.getFields();
    for (int c = 0; c < Math.max(a.size(), b.size()); c++) {
      if (c >= a.size() || c >= b.size() || !a.get(c).equals(b.get(c))) {
        String fa = c < a.size() ? a.get(c).toString() : "(no column)";
        String fb = c < b.size() ? b.get(c).toString() : "(no column)";
        throw new IllegalArgumentException("schema mismatch between " + firstFile + " and " + file
            + ": first difference at column " + c + ": " + fa + " vs " + fb
            + " (all files of a dataset must have the same schema)");
      }
    }
  }

  /** Total rows of all files. */
  public long numRows() {
    return starts[starts.length - 1];
  }

  /** The common schema of all files. */
  public Schema schema() {
    return schema;
  }

  /** The fingerprint of the files' contents, computed at open. */
  public DatasetFingerprint fingerprint() {
    return fingerprint;
  }

  /** Number of files. */
  public int numFiles() {
    return files.size();
  }

  /** The files, in dataset order (absolute paths). */
  public List<Path> files() {
    return files;
  }

  /** The shared reader of file {@code i} (do not close it). */
  public WeftReader reader(int i) {
    return readers.get(i);
  }

  /** The global row id of file {@code i}'s first row. */
  public long firstRow(int i) {
    Objects.checkIndex(i, files.size());
    return starts[i];
  }

  /** Rows of file {@code i}. */
  public long fileRows(int i) {
    Objects.checkIndex(i, files.size());
    return starts[i + 1] - starts[i];
  }

  /**
   * The decoded values of fixed-width columns kept for random batches, shared by every
   * assembler of this dataset (bounded by the budget given at open).
   */
  public DecodedColumns decodedColumns() {
    return decoded;
  }

  /** The cache of decoded mini-blocks all files' readers share (bounded by the budget given at open). */
  public dev.weft.reader.BlockCache blockCache() {
    return blockCache;
  }

  /** Whether the files are memory-mapped (else read with positional reads). */
  public boolean memoryMapped() {
    return memoryMapped;
  }

  /** The allocator batches of this dataset are allocated from. */
  public BufferAllocator allocator() {
    return allocator;
  }

  /**
   * The file holding a global row (binary search over the files' first rows; O(log files)).
   *
   * @throws IndexOutOfBoundsException if {@code globalRow} is not in {@code [0, numRows)}
   */
  public int fileOf(long globalRow) {
    Objects.checkIndex(globalRow, numRows());
    // the last file whose first row is <= globalRow; it is non-empty, since the next one starts later
    int lo = 0;
    int hi = files.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= globalRow) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /**
   * Checks that this dataset is the one an order or a checkpoint was made for.
   *
   * @param expected the fingerprint recorded with the order or checkpoint
   * @param what what was made for it, for the error message
   * @throws FingerprintMismatchException if the fingerprints differ
   */
  public void requireFingerprint(DatasetFingerprint expected, String what) {
    expected.requireMatches(fingerprint, what);
  }

  /** Closes the readers, and the allocator if the dataset created it. */
  @Override
  public void close() throws IOException {
    IOException first = null;
    for (WeftReader r : readers) {
      try {
        r.close();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (ownsAllocator) {
      allocator.close();
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public String toString() {
    return "WeftDataset[" + files.size() + " files, " + numRows() + " rows, fingerprint "
        + fingerprint.hex().substring(0, 16) + "…]";
  }
}
