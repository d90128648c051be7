package dev.weft.reader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Iterates over a row range in batches. Each {@link #next()} returns a new root owned by the
 * caller (close it). Errors reading the file surface as {@link UncheckedIOException} wrapping
 * the typed Weft exception. Not thread-safe; use one scanner per thread.
 *
 * <p>Alternatively, as with Arrow's {@code ArrowReader}, {@link #loadNextBatch()} loads each batch
 * into one root ({@link #getVectorSchemaRoot()}, owned by the scanner), or
 * {@link #loadNextBatch(VectorSchemaRoot)} into a root of the caller's that may outlive the
 * scanner (one root for many scans). Both reuse the root's buffers for the next batch where they
 * are large enough and nothing else holds them, which saves the page faults of fresh memory on
 * large batches (glibc maps allocations over 32 MiB anew each time); a batch loaded so is valid
 * until the next load.
 * <pre>
 * try (VectorSchemaRoot root = VectorSchemaRoot.create(reader.schema(null), allocator)) {
 *   for (int epoch = 0; epoch &lt; epochs; epoch++) {
 *     try (WeftScanner s = reader.scan(null, 65536)) {
 *       while (s.loadNextBatch(root)) { ... }
 *     }
 *   }
 * }
 * </pre>
 */
public final class WeftScanner implements Iterator<VectorSchemaRoot>, AutoCloseable {
  private final List<ColumnReader> columns;
  private final List<ColumnAssembler> assemblers = new ArrayList<>();
  private final BufferAllocator allocator;
  private final int batchSize;
  private final long toRow;
  private long nextRow;
  private final FilteredSource filtered;

  /** A scanner over the rows a predicate selects ({@link WeftReader#scan(List, dev.weft.index.Expr, int)}). */
  WeftScanner(FilteredSource filtered) {
    this.columns = List.of();
    this.allocator = null;
    this.batchSize = 0;
    this.toRow = 0;
    this.filtered = filtered;
  }

  WeftScanner(List<ColumnReader> columns, BufferAllocator allocator, int batchSize, long fromRow, long toRow) {
    this.columns = columns;
    this.allocator = allocator;
    this.batchSize = batchSize;
    this.nextRow = fromRow;
    this.toRow = toRow;
    this.filtered = null;
    for (ColumnReader c : columns) {
      assemblers.add(new ColumnAssembler(c, true, false));
    }
  }

  @Override
  public boolean hasNext() {
    if (filtered != null) {
      try {
        return !closed && filtered.hasNext();
      } catch (IOException e) {
        throw new UncheckedIOException(e.getMessage(), e);
      }
    }
    return nextRow < toRow;
  }

  private boolean closed;
  private long lastStart;

  /**
   * The file row (0-based) of row {@code i} of the batch returned last: for a filtered scan, the
   * rows that matched; otherwise consecutive rows.
   */
  public long rowId(int i) {
    return filtered != null ? filtered.rowId(i) : lastStart + i;
  }

  /** The next batch, as a checked-exception variant of {@link #next()}. */
  public VectorSchemaRoot nextBatch() throws IOException {
    if (!hasNext()) {
      throw new NoSuchElementException("scan is finished");
    }
    if (filtered != null) {
      return filtered.next();
    }
    int rows = (int) Math.min(batchSize, toRow - nextRow);
    try (BatchBuilder b = new BatchBuilder(columns, assemblers, allocator, rows)) {
      b.appendRows(nextRow, nextRow + rows);
      lastStart = nextRow;
      nextRow += rows;
      return b.finish(rows);
    }
  }

  /**
   * Loads the next batch into {@link #getVectorSchemaRoot()}, reusing its buffers; false when the
   * scan is finished. The batch stays valid until the next load or {@link #close()}.
   */
  public boolean loadNextBatch() throws IOException {
    if (!hasNext()) {
      return false;
    }
    if (ownRoot == null) {
      ownRoot = nextBatch();
      return true;
    }
    return loadNextBatch(ownRoot);
  }

  /**
   * The root {@link #loadNextBatch()} loads into (owned by the scanner, closed with it); null
   * before the first load.
   */
  public VectorSchemaRoot getVectorSchemaRoot() {
    return ownRoot;
  }

  /**
   * Loads the next batch into {@code root}, replacing its contents; false (root untouched) when the
   * scan is finished. {@code root} must have this scan's schema ({@link WeftReader#schema(List)}) and an
   * allocator under the reader's root allocator; with the reader's allocator itself its buffers are
   * reused. Buffers still held elsewhere (a
   * transfer, a slice) are left to their holders and new ones allocated.
   *
   * @throws IllegalArgumentException if {@code root}'s schema is not this scan's, or its allocator is under
   *     another root allocator (nothing is read then)
   */
  public boolean loadNextBatch(VectorSchemaRoot root) throws IOException {
    if (!hasNext()) {
      return false;
    }
    checkAllocator(root);
    if (filtered != null) {
      try (VectorSchemaRoot b = filtered.next()) {
        checkSchema(root, b.getSchema());
        org.apache.arrow.vector.VectorUnloader un = new org.apache.arrow.vector.VectorUnloader(b);
        try (org.apache.arrow.vector.ipc.message.ArrowRecordBatch rb = un.getRecordBatch()) {
          new org.apache.arrow.vector.VectorLoader(root).load(rb);
        }
      }
      return true;
    }
    checkSchema(root, BatchBuilder.schema(columns));
    int rows = (int) Math.min(batchSize, toRow - nextRow);
    List<List<org.apache.arrow.memory.ArrowBuf>> recycled = RecycledBuffers.take(root, allocator);
    try (BatchBuilder b = new BatchBuilder(columns, assemblers, allocator, rows, recycled)) {
      b.appendRows(nextRow, nextRow + rows);
      lastStart = nextRow;
      nextRow += rows;
      b.finishInto(root, rows);
    } finally {
      RecycledBuffers.release(recycled);
    }
    return true;
  }

  private static void checkSchema(VectorSchemaRoot root, org.apache.arrow.vector.types.pojo.Schema expected) {
    if (!root.getSchema().getFields().equals(expected.getFields())) {
      throw new IllegalArgumentException("root's schema " + root.getSchema() + " is not the scan's " + expected);
    }
  }

  private void checkAllocator(VectorSchemaRoot root) {
    // Arrow hands buffers over only between allocators under one root allocator
    BufferAllocator mine = allocator != null ? allocator : filtered.allocator();
    for (org.apache.arrow.vector.FieldVector v : root.getFieldVectors()) {
      BufferAllocator a = v.getAllocator(); // null for vectors without buffers (NullVector)
      if (a != null && a.getRoot() != mine.getRoot()) {
        throw new IllegalArgumentException("root's vector " + v.getName() + " uses an allocator under another root"
            + " allocator than the reader's: create the root with the reader's allocator (or a child of its root)");
      }
    }
  }

  private VectorSchemaRoot ownRoot;

  @Override
  public VectorSchemaRoot next() {
    try {
      return nextBatch();
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    closed = true;
    nextRow = toRow;
    if (ownRoot != null) {
      ownRoot.close();
      ownRoot = null;
    }
  }
}
