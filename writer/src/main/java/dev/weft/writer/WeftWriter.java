package dev.weft.writer;

import dev.weft.format.ColumnDirectory;
import dev.weft.format.ColumnLayout;
import dev.weft.format.ColumnMeta;
import dev.weft.format.FileHeader;
import dev.weft.format.FileTail;
import dev.weft.format.Footer;
import dev.weft.format.MetaOutput;
import dev.weft.format.PageMeta;
import dev.weft.format.RowGroupMeta;
import dev.weft.format.SchemaCodec;
import dev.weft.format.UnsupportedTypeException;
import dev.weft.format.WeftFormat;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes one Weft file from Arrow batches.
 *
 * <pre>{@code
 * try (WeftWriter w = WeftWriter.open(path, schema, WriterOptions.defaults())) {
 *   w.write(root);      // any number of times
 * }                     // close() makes the file appear atomically
 * }</pre>
 *
 * <p>The writer buffers one row group at a time within {@link WriterOptions#memoryBudget()}: all
 * its memory comes from a child allocator limited to the budget. The file is written under a
 * temporary name in the target directory; {@link #close()} writes the metadata, fsyncs and
 * renames it to the final name. {@link #abort()}, or any failure, deletes the temporary file, so
 * nothing ever appears under the final name unless it is complete. Not thread-safe.
 *
 * <p>Dictionary-encoded top-level columns are accepted when a {@link DictionaryProvider} is
 * given: their values are stored, and readers return the dictionary's value type.
 */
public final class WeftWriter implements AutoCloseable {
  private final Path path;
  private final Path tempPath;
  private final WriterOptions options;
  private final Schema inputSchema;
  private final Schema storedSchema;
  private final DictionaryProvider dictionaries;
  private final List<ColumnLayout> layouts = new ArrayList<>();
  private final List<NodeWriter[]> nodeWriters = new ArrayList<>();
  private final List<List<List<PageMeta>>> pages = new ArrayList<>();
  /** Per column, per node: its shared dictionaries (format 4.0), one per row group that has one. */
  private final List<List<List<dev.weft.format.DictionaryMeta>>> sharedDictionaries = new ArrayList<>();
  private final List<RowGroupMeta> rowGroups = new ArrayList<>();
  private final BufferAllocator allocator;
  private final boolean ownsParent;
  private final BufferAllocator parent;
  private final FileChannel channel;
  private final FileOutput out;
  private final EarlySync earlySync;
  private final BlockArena arena;
  /** Encoding lanes: lane 0 is the calling thread's, the others the pool's. */
  private final EncodeLane[] lanes;
  private final java.util.concurrent.ExecutorService pool;
  /** The scratch one lane holds, counted once in flush decisions (whatever the thread count). */
  private final long laneScratch;
  private final RowGroupFlusher flusher;
  private final byte[] fileId = new byte[16];
  private final dev.weft.index.FileIndexWriter index;

  private long rowsWritten;
  private long rowsInGroup;
  private long groupStartOffset;
  private boolean closed;
  private long peakMemory;

  private WeftWriter(Path path, Schema schema, DictionaryProvider dictionaries, WriterOptions options,
      BufferAllocator parentAllocator) throws IOException {
    this.path = path.toAbsolutePath();
    this.options = options;
    this.inputSchema = schema;
    this.dictionaries = dictionaries;
    this.storedSchema = DictionaryColumns.storedSchema(schema, dictionaries, this.path);
    for (Field f : storedSchema.getFields()) {
      layouts.add(ColumnLayout.of(f, this.path));
    }
    checkUniqueNames(storedSchema, this.path);
    checkBudgetFitsSchema(options, layouts, this.path);
    this.index = new dev.weft.index.FileIndexWriter(storedSchema.getFields(), options.index());
    if (!options.overwrite() && Files.exists(this.path)) {
      throw new FileAlreadyExistsException(this.path.toString(), null,
          "refusing to replace an existing file (set WriterOptions.overwrite)");
    }
    Path dir = this.path.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new IOException("cannot write " + this.path + ": directory " + dir + " does not exist");
    }
    new SecureRandom().nextBytes(fileId);
    this.tempPath = dir.resolve("." + this.path.getFileName() + "." + Long.toHexString(System.nanoTime())
        + ".weft-tmp");
    this.ownsParent = parentAllocator == null;
    this.parent = ownsParent ? new RootAllocator() : parentAllocator;
    this.allocator = parent.newChildAllocator("weft-writer:" + this.path.getFileName(), 0,
        options.memoryBudget());
    FileChannel ch = null;
    try {
      ch = FileChannel.open(tempPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      this.channel = ch;
      this.out = new FileOutput(ch);
      this.earlySync = new EarlySync(ch, this.path.getFileName().toString());
      this.arena = new BlockArena(allocator, segmentSize(options));
      this.flusher = new RowGroupFlusher(out, options.targetPageBytes(), options.compression(),
          options.compressionLevel());
      long dictionaryBytes = dictionaryBytes(options, layouts);
      int blockBytes = effectiveBlockBytes(options, layouts);
      this.lanes = new EncodeLane[laneCount(options, layouts, blockBytes)];
      for (int i = 0; i < lanes.length; i++) {
        lanes[i] = new EncodeLane(allocator, segmentSize(options), blockBytes, options.compression(),
            options.compressionLevel(), options.miniBlockBytes(), options.encodings(), options.foldedSpans());
      }
      this.laneScratch = lanes[0].scratchBytes();
      this.pool = lanes.length > 1 ? java.util.concurrent.Executors.newFixedThreadPool(lanes.length - 1, r -> {
        Thread t = new Thread(r, "weft-encode:" + this.path.getFileName());
        t.setDaemon(true);
        return t;
      }) : null;
      for (ColumnLayout layout : layouts) {
        NodeWriter[] ws = new NodeWriter[layout.nodes().size()];
        nodeWriters.add(ws); // added first, so a failure below still releases what was made
        List<List<PageMeta>> perNode = new ArrayList<>();
        List<List<dev.weft.format.DictionaryMeta>> dictsPerNode = new ArrayList<>();
        for (int i = 0; i < ws.length; i++) {
          ws[i] = new NodeWriter(layout.node(i), allocator, blockBytes, options.valuesPerMiniBlock(), dictionaryBytes);
          perNode.add(new ArrayList<>());
          dictsPerNode.add(new ArrayList<>());
        }
        pages.add(perNode);
        sharedDictionaries.add(dictsPerNode);
      }
      out.write(new FileHeader(WeftFormat.VERSION_MAJOR_CURRENT, WeftFormat.VERSION_MINOR_CURRENT, fileId).encode());
      groupStartOffset = out.position();
    } catch (IOException | RuntimeException e) {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // already failing
        }
      }
      Files.deleteIfExists(tempPath);
      try {
        releaseQuietly();
      } catch (RuntimeException leak) {
        e.addSuppressed(leak);
      }
      throw e;
    }
  }

  /** Each column node needs about this much memory for its pending block and bookkeeping. */
  private static final long MIN_BYTES_PER_NODE = 2048;

  /** Refuses up front a budget too small to buffer one small block per column node. */
  private static void checkBudgetFitsSchema(WriterOptions o, List<ColumnLayout> layouts, Path path) {
    long nodes = 0;
    for (ColumnLayout l : layouts) {
      nodes += l.nodes().size();
    }
    long needed = nodes * MIN_BYTES_PER_NODE + (512 << 10);
    if (o.memoryBudget() < needed) {
      throw new IllegalArgumentException("memory budget of " + o.memoryBudget() + " bytes is too small for "
          + layouts.size() + " columns (" + nodes + " column nodes) in " + path + ": use at least "
          + needed + " bytes (about 2 KiB per column node plus 512 KiB)");
    }
  }

  /**
   * The mini-block byte limit: the configured one, lowered for very wide schemas so that the
   * pending blocks of all nodes together stay within a sixteenth of the budget.
   */
  private static int effectiveBlockBytes(WriterOptions o, List<ColumnLayout> layouts) {
    long nodes = 0;
    for (ColumnLayout l : layouts) {
      nodes += l.nodes().size();
    }
    long share = o.memoryBudget() / 16 / Math.max(1, nodes) / 3;
    return (int) Math.max(256, Math.min(o.miniBlockBytes(), share));
  }

  /**
   * Raw entry bytes a node's shared dictionary may hold per row group (format 4.0): Parquet's
   * 1 MiB, lowered so that every node's dictionary (entries and hash table, about twice the
   * entries) fits in an eighth of the budget; 0 (no shared dictionaries) without encodings or
   * when that leaves under 4 KiB. (Until session 6 a sixteenth: then a categorical column of
   * 90,000 distinct 8-byte ids among the 53 nodes of the recsys table, converted with a 2 GiB
   * budget, overflowed its dictionary and was stored 1.4x larger than Parquet stores it; all
   * dictionaries full still hold only half of what makes the writer seal its blocks early.)
   */
  private static long dictionaryBytes(WriterOptions o, List<ColumnLayout> layouts) {
    if (!o.encodings() || !o.sharedDictionaries()) {
      return 0;
    }
    long nodes = 0;
    for (ColumnLayout l : layouts) {
      nodes += l.nodes().size();
    }
    long share = Math.min(ChunkDictionary.MAX_BYTES, o.memoryBudget() / 16 / Math.max(1, nodes));
    return share < 4096 ? 0 : share;
  }

  /**
   * Encoding lanes: the threads asked for, at most one per column, and no more than a sixteenth
   * of the budget can hold the scratch of (a lane needs about a staging segment and four blocks).
   */
  private static int laneCount(WriterOptions o, List<ColumnLayout> layouts, int blockBytes) {
    long perLane = segmentSize(o) + 4L * (Math.max(blockBytes, o.miniBlockBytes()) + 64);
    long affordable = 1 + o.memoryBudget() / 16 / perLane;
    return (int) Math.max(1, Math.min(Math.min(o.threads(), layouts.size()), affordable));
  }

  private static long segmentSize(WriterOptions o) {
    return Math.max(64 << 10, Math.min(1 << 20, o.memoryBudget() / 32));
  }

  /** Opens a writer for a schema without dictionary-encoded columns. */
  public static WeftWriter open(Path path, Schema schema, WriterOptions options) throws IOException {
    return new WeftWriter(path, schema, null, options, null);
  }

  /**
   * Opens a writer.
   *
   * @param dictionaries resolves dictionary-encoded columns of {@code schema} (may be null)
   * @param allocator parent of the writer's budget-limited allocator (null: a private one)
   * @throws UnsupportedTypeException naming the column if a type cannot be stored
   * @throws FileAlreadyExistsException if {@code path} exists and overwrite is off
   */
  public static WeftWriter open(Path path, Schema schema, DictionaryProvider dictionaries,
      WriterOptions options, BufferAllocator allocator) throws IOException {
    return new WeftWriter(path, schema, dictionaries, options, allocator);
  }

  /** The schema as stored: dictionary-encoded columns replaced by their value types. */
  public Schema storedSchema() {
    return storedSchema;
  }

  public long rowsWritten() {
    return rowsWritten;
  }

  /** The highest number of bytes the writer's allocator held at once so far. */
  public long peakMemory() {
    return Math.max(peakMemory, allocator.getPeakMemoryAllocation());
  }

  /**
   * Appends every row of {@code root}, whose schema must equal the writer's schema.
   *
   * @throws IllegalArgumentException if the schema differs (checked first; the writer stays
   *     usable), or if the batch is malformed or a row is too large to store (the writer is then
   *     aborted, like after any other failure)
   */
  public void write(VectorSchemaRoot root) throws IOException {
    write(root, null);
  }

  /**
   * As {@link #write(VectorSchemaRoot)}, with the value ids a source knows for some columns
   * ({@code ids[c]} for column c, or null; see {@link ValueIds}): they save the writer work on
   * repeated values, and change nothing it stores. They are used for flat columns of fixed-width
   * or variable-width values that are not dictionary-encoded; others ignore them. The ids are
   * read only during the call (their arrays may be reused afterwards); values given by id
   * ({@link ValueIds#byId}), until the row group is written. A column that cannot take its values
   * by id gets them written into its vector first.
   */
  public void write(VectorSchemaRoot root, ValueIds[] ids) throws IOException {
    ensureOpen();
    checkSchema(root.getSchema());
    int rows = root.getRowCount();
    if (rows == 0) {
      return;
    }
    try {
      NodeBatch[][] batches = new NodeBatch[layouts.size()][];
      boolean anyDictionary = false;
      for (int c = 0; c < layouts.size(); c++) {
        FieldVector v = root.getVector(c);
        if (v.getValueCount() < rows) {
          throw new IllegalArgumentException("column '" + v.getField().getName() + "' has "
              + v.getValueCount() + " values but the batch has " + rows + " rows");
        }
        ValueIds vi = ids != null && c < ids.length ? ids[c] : null;
        if (vi != null && vi.byId() && !takesValuesById(c, v)) {
          if (vi.ids().length < rows) {
            throw new IllegalArgumentException("column '" + v.getField().getName() + "': " + vi.ids().length
                + " value ids for a batch of " + rows + " rows");
          }
          ValuesById.fill(v, vi, rows); // the vector gets its bytes; the ids stay a memo
          vi = new ValueIds(vi.scope(), vi.scopeSize(), vi.ids());
        }
        if (v.getField().getDictionary() != null) {
          anyDictionary = true;
        } else {
          batches[c] = NodeBatch.of(layouts.get(c), v, rows, 0);
          if (vi != null) {
            batches[c][0].useIds(vi, rows);
          }
        }
      }
      if (!anyDictionary) {
        writeRows(batches, 0, rows);
      } else {
        writeWithDictionaries(root, batches, rows);
      }
    } catch (org.apache.arrow.memory.OutOfMemoryException e) {
      abort();
      throw new IOException("writing " + path + " needs more memory than the budget of "
          + options.memoryBudget() + " bytes (" + e.getMessage() + "); a single value takes up to"
          + " about 8 times its size while it is buffered: raise WriterOptions.memoryBudget", e);
    } catch (IOException | RuntimeException | Error e) {
      abort();
      throw e;
    }
  }

  /**
   * Whether column {@code c} (vector {@code v}) can take string values given by id: a flat column
   * of strings or binary whose node has a shared dictionary and whose index reads values by id.
   */
  private boolean takesValuesById(int c, FieldVector v) {
    ColumnLayout layout = layouts.get(c);
    dev.weft.format.NodeKind k = layout.node(0).kind();
    return v.getField().getDictionary() == null && layout.nodes().size() == 1
        && (k == dev.weft.format.NodeKind.VARBINARY || k == dev.weft.format.NodeKind.LARGE_VARBINARY)
        && nodeWriters.get(c)[0].chunkDictionary() != null && index.readsValuesById(c);
  }

  /**
   * Dictionary-encoded columns are decoded slice by slice into the writer's own (budgeted)
   * allocator, so a batch never needs a full decoded copy at once.
   */
  private void writeWithDictionaries(VectorSchemaRoot root, NodeBatch[][] batches, int rows) throws IOException {
    for (int from = 0; from < rows; from += DICTIONARY_SLICE_ROWS) {
      int to = Math.min(rows, from + DICTIONARY_SLICE_ROWS);
      List<FieldVector> decoded = new ArrayList<>();
      try {
        for (int c = 0; c < layouts.size(); c++) {
          FieldVector v = root.getVector(c);
          if (v.getField().getDictionary() != null) {
            FieldVector values = DictionaryColumns.decodeSlice(v, from, to, dictionaries, allocator, path);
            decoded.add(values);
            batches[c] = NodeBatch.of(layouts.get(c), values, to - from, from);
          }
        }
        writeRows(batches, from, to);
      } finally {
        for (FieldVector v : decoded) {
          v.close();
        }
      }
    }
  }

  private static final int DICTIONARY_SLICE_ROWS = 4096;

  private void writeRows(NodeBatch[][] batches, int from, int to) throws IOException {
    long chunkBudget = Math.max(1, options.memoryBudget() / 16);
    int r = from;
    while (r < to) {
      int k = (int) Math.min(to - r, options.maxRowGroupRows() - rowsInGroup);
      while (k > 1 && chunkBytes(batches, r, r + k) > chunkBudget) {
        k = k / 2;
      }
      final int start = r;
      final int end = r + k;
      final long nearRow = rowsWritten + (r - from);
      forEachColumn((c, lane) -> {
        int at = (int) batches[c][0].elems(start); // zone maps and bloom filters see top-level values
        ValueIds ids = batches[c][0].ids();
        if (ids == null) {
          index.append(c, batches[c][0].vector, at, at + (end - start));
        } else if (ids.byId()) {
          index.append(c, batches[c][0].vector, at, at + (end - start), ids.scope(), ids.scopeSize(), ids.ids(),
              ids.valueBytes(), ids.valueStarts());
        } else {
          index.append(c, batches[c][0].vector, at, at + (end - start), ids.scope(), ids.scopeSize(), ids.ids());
        }
        NodeWriter[] ws = nodeWriters.get(c);
        for (int n = 0; n < ws.length; n++) {
          try {
            ws[n].append(batches[c][n], start, end, lane);
          } catch (org.apache.arrow.memory.OutOfMemoryException e) {
            throw new IOException("writing " + path + ": column '" + ws[n].node.path() + "' near row "
                + nearRow + " needs more memory than the budget of " + options.memoryBudget()
                + " bytes; a single value takes up to about 8 times its size while it is buffered:"
                + " raise WriterOptions.memoryBudget", e);
          }
        }
      });
      r += k;
      rowsInGroup += k;
      rowsWritten += k;
      trackPeak();
      long held = heldBytes();
      if (rowsInGroup >= options.maxRowGroupRows() || held + arena.allocatedBytes() > options.memoryBudget() / 2) {
        flushRowGroup();
        out.flush();
        earlySync.start();
      } else if (held > options.memoryBudget() / 4) {
        sealAll();
        for (NodeWriter[] ws : nodeWriters) {
          for (NodeWriter w : ws) {
            w.shrink();
          }
        }
      }
    }
  }

  private static long chunkBytes(NodeBatch[][] batches, int a, int b) {
    long sum = 0;
    for (NodeBatch[] col : batches) {
      for (NodeBatch nb : col) {
        sum += NodeWriter.rowBytes(nb, a, b);
      }
    }
    return sum;
  }

  /**
   * Memory held for pending blocks, which decides when blocks are sealed and row groups flushed.
   * It counts one lane's scratch as it was when the writer opened, not the lanes' current sizes,
   * so that the decisions (and the file's bytes) are the same for any number of threads.
   */
  private long heldBytes() {
    long sum = laneScratch;
    for (NodeWriter[] ws : nodeWriters) {
      for (NodeWriter w : ws) {
        sum += w.heldBytes();
      }
    }
    return sum;
  }

  private void trackPeak() {
    peakMemory = Math.max(peakMemory, allocator.getPeakMemoryAllocation());
  }

  private void sealAll() throws IOException {
    forEachColumn((c, lane) -> {
      for (NodeWriter w : nodeWriters.get(c)) {
        w.seal(lane);
      }
    });
  }

  /** Work on one column with one lane's buffers. */
  private interface ColumnTask {
    void run(int column, EncodeLane lane) throws IOException;
  }

  /**
   * Runs {@code task} for every column, on the lanes in parallel (each column on one lane), then
   * moves the blocks the lanes staged into the row group's arena in column order.
   */
  private void forEachColumn(ColumnTask task) throws IOException {
    runOnLanes(task);
    for (NodeWriter[] ws : nodeWriters) {
      for (NodeWriter w : ws) {
        w.commit(arena);
      }
    }
    for (EncodeLane lane : lanes) {
      lane.staging.clear();
    }
  }

  /** Runs {@code task} for every column, on the lanes in parallel (each column on one lane). */
  private void runOnLanes(ColumnTask task) throws IOException {
    int columns = nodeWriters.size();
    if (pool == null || columns < 2) {
      for (int c = 0; c < columns; c++) {
        task.run(c, lanes[0]);
      }
    } else {
      java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
      List<java.util.concurrent.Future<?>> helpers = new ArrayList<>(lanes.length - 1);
      for (int i = 1; i < lanes.length; i++) {
        EncodeLane lane = lanes[i];
        helpers.add(pool.submit(() -> {
          drain(task, lane, next, failed, columns);
          return null;
        }));
      }
      Throwable error = null;
      try {
        drain(task, lanes[0], next, failed, columns);
      } catch (IOException | RuntimeException | Error e) {
        error = e;
      }
      for (java.util.concurrent.Future<?> f : helpers) {
        try {
          awaitUninterruptibly(f); // a lane's buffers must not be in use when the writer goes on or aborts
        } catch (java.util.concurrent.ExecutionException e) {
          if (error == null) {
            error = e.getCause();
          } else {
            error.addSuppressed(e.getCause());
          }
        }
      }
      if (error instanceof IOException io) {
        throw io;
      } else if (error instanceof RuntimeException re) {
        throw re;
      } else if (error instanceof Error err) {
        throw err;
      } else if (error != null) {
        throw new IOException(error);
      }
    }
  }

  private static void drain(ColumnTask task, EncodeLane lane, java.util.concurrent.atomic.AtomicInteger next,
      java.util.concurrent.atomic.AtomicBoolean failed, int columns) throws IOException {
    try {
      for (int c = next.getAndIncrement(); c < columns && !failed.get(); c = next.getAndIncrement()) {
        task.run(c, lane);
      }
    } catch (IOException | RuntimeException | Error e) {
      failed.set(true);
      throw e;
    }
  }

  private static void awaitUninterruptibly(java.util.concurrent.Future<?> f)
      throws java.util.concurrent.ExecutionException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          f.get();
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void flushRowGroup() throws IOException {
    if (rowsInGroup == 0) {
      return;
    }
    sealAll();
    trackPeak();
    // the shared dictionaries are encoded and compressed on the lanes, all columns at once (FSST
    // training for strings is the costliest step of a flush), then written in column order
    RowGroupFlusher.PreparedDictionary[][] prepared = new RowGroupFlusher.PreparedDictionary[nodeWriters.size()][];
    forEachColumn((c, lane) -> {
      NodeWriter[] ws = nodeWriters.get(c);
      RowGroupFlusher.PreparedDictionary[] p = new RowGroupFlusher.PreparedDictionary[ws.length];
      for (int n = 0; n < ws.length; n++) {
        ChunkDictionary d = ws[n].chunkDictionary();
        p[n] = d != null && d.used() ? flusher.prepare(d) : null;
      }
      prepared[c] = p;
    });
    for (int c = 0; c < nodeWriters.size(); c++) {
      NodeWriter[] ws = nodeWriters.get(c);
      for (int n = 0; n < ws.length; n++) {
        flusher.writeNode(ws[n].sealedBlocks(), pages.get(c).get(n), sharedDictionaries.get(c).get(n),
            prepared[c][n]);
        ws[n].clearSealed();
        if (ws[n].chunkDictionary() != null) {
          ws[n].chunkDictionary().reset();
        }
      }
    }
    arena.clear();
    out.pad();
    long end = out.position();
    rowGroups.add(new RowGroupMeta(rowsWritten - rowsInGroup, rowsInGroup, groupStartOffset, end));
    index.endRowGroup(rowsInGroup);
    groupStartOffset = end;
    rowsInGroup = 0;
  }

  /**
   * Finishes the file: writes the last row group and the metadata, fsyncs, and renames the
   * temporary file to the final name. On failure nothing is left under either name.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      flushRowGroup();
      finishMetadata();
      out.flush();
      earlySync.await();
      channel.force(true);
      channel.close();
      moveIntoPlace();
      closed = true;
    } catch (IOException | RuntimeException | Error e) {
      abort();
      throw e;
    } finally {
      releaseQuietly();
    }
  }

  private void finishMetadata() throws IOException {
    // each column's metadata block and index sections are encoded on the lanes at once (cold
    // code that runs once per file: Arrow's schema serializer, the zone maps' encoders), then
    // written in column order
    int columns = layouts.size();
    byte[][] metas = new byte[columns][];
    dev.weft.index.FileIndexWriter.EncodedColumn[] indexParts = new dev.weft.index.FileIndexWriter.EncodedColumn[columns];
    runOnLanes((c, lane) -> {
      metas[c] = new ColumnMeta(layouts.get(c), pages.get(c), sharedDictionaries.get(c)).encode();
      indexParts[c] = index.encodeColumn(c);
    });
    List<ColumnDirectory.Entry> entries = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int c = 0; c < columns; c++) {
      out.pad();
      long offset = out.position();
      byte[] meta = metas[c];
      out.write(meta);
      MetaOutput crcOf = new MetaOutput(0).bytes(meta);
      entries.add(new ColumnDirectory.Entry(offset, meta.length, crcOf.crc32c()));
      names.add(layouts.get(c).field().getName());
    }
    dev.weft.index.NameIndex.Ref ix = index.finish(names, entries, List.of(indexParts), bytes -> {
      out.pad();
      long at = out.position();
      out.write(bytes);
      return at;
    });
    out.pad();
    long dirOffset = out.position();
    byte[] dir = ColumnDirectory.encode(names, entries);
    out.write(dir);
    out.pad();
    long schemaOffset = out.position();
    byte[] schema = SchemaCodec.encode(storedSchema);
    out.write(schema);
    out.pad();
    long footerOffset = out.position();
    Footer footer = new Footer(rowsWritten, layouts.size(), rowGroups, dirOffset, dir.length,
        crc(dir), schemaOffset, schema.length, crc(schema), fileId, options.createdBy(),
        new Footer.IndexRef(ix.offset(), ix.length(), ix.crc()));
    byte[] footerBytes = footer.encode();
    out.write(footerBytes);
    out.write(new FileTail(footerOffset, footerBytes.length, crc(footerBytes),
        WeftFormat.VERSION_MAJOR_CURRENT, WeftFormat.VERSION_MINOR_CURRENT).encode());
  }

  private static int crc(byte[] b) {
    return dev.weft.format.Checksums.crc32c(b, 0, b.length);
  }

  private void moveIntoPlace() throws IOException {
    if (!options.overwrite()) {
      // link() fails atomically if the name exists, so a file created meanwhile is never replaced
      try {
        Files.createLink(path, tempPath);
        Files.delete(tempPath);
        syncDirectory();
        return;
      } catch (FileAlreadyExistsException e) {
        throw new FileAlreadyExistsException(path.toString(), null,
            "appeared while writing; refusing to replace it (set WriterOptions.overwrite)");
      } catch (UnsupportedOperationException | IOException e) {
        if (Files.exists(path)) {
          throw new FileAlreadyExistsException(path.toString(), null, "appeared while writing");
        }
        // file systems without hard links: fall back to rename below
      }
    }
    try {
      Files.move(tempPath, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot atomically rename " + tempPath + " to " + path, e);
    }
    syncDirectory();
  }

  private void syncDirectory() {
    try (FileChannel dir = FileChannel.open(path.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException ignored) {
      // some file systems cannot fsync a directory; the rename itself is atomic
    }
  }

  /** Discards everything written so far; nothing is left under the final or temporary name. */
  public void abort() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      channel.close();
    } catch (IOException ignored) {
      // best effort
    }
    try {
      Files.deleteIfExists(tempPath);
    } catch (IOException ignored) {
      // best effort
    }
    releaseQuietly();
  }

  private boolean released;

  private void releaseQuietly() {
    if (released) {
      return;
    }
    released = true;
    if (nodeWriters != null) {
      for (NodeWriter[] ws : nodeWriters) {
        for (NodeWriter w : ws) {
          if (w != null) {
            w.close();
          }
        }
      }
    }
    if (pool != null) {
      pool.shutdownNow();
    }
    if (lanes != null) {
      for (EncodeLane lane : lanes) {
        if (lane != null) {
          lane.close();
        }
      }
    }
    if (arena != null) {
      arena.close();
    }
    if (allocator != null) {
      peakMemory = Math.max(peakMemory, allocator.getPeakMemoryAllocation());
      allocator.close();
    }
    if (ownsParent && parent != null) {
      parent.close();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("writer for " + path + " is closed or aborted");
    }
  }

  private void checkSchema(Schema schema) {
    List<Field> expected = inputSchema.getFields();
    List<Field> actual = schema.getFields();
    if (expected.size() != actual.size()) {
      throw new IllegalArgumentException("batch has " + actual.size() + " columns, the writer for "
          + path + " expects " + expected.size());
    }
    for (int i = 0; i < expected.size(); i++) {
      if (!expected.get(i).equals(actual.get(i))) {
        throw new IllegalArgumentException("batch column " + i + " is " + actual.get(i)
            + ", the writer for " + path + " expects " + expected.get(i));
      }
    }
  }

  private static void checkUniqueNames(Schema schema, Path path) throws UnsupportedTypeException {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Field f : schema.getFields()) {
      if (!seen.add(f.getName())) {
        throw new UnsupportedTypeException("duplicate column name '" + f.getName() + "' (file " + path + ")", path);
      }
    }
  }
}
