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
  }
}
