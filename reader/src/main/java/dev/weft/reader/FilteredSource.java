package dev.weft.reader;

import dev.weft.index.BoundPredicate;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The rows of a scan that satisfy a predicate, in file order, in batches of at most {@code
 * batchSize} rows. Skipped ranges are never read. In ranges to evaluate, only the predicate's
 * columns are read for every row; the projected columns are read only for the runs of rows that
 * matched.
 */
final class FilteredSource {
  private final List<PrunedRanges.Range> ranges;
  private final BoundPredicate predicate;
  private final List<ColumnReader> predColumns;
  private final List<ColumnAssembler> predAssemblers = new ArrayList<>();
  private final List<ColumnReader> outColumns;
  private final List<ColumnAssembler> outAssemblers = new ArrayList<>();
  private final BufferAllocator allocator;
  private final int batchSize;
  private final ArrayDeque<long[]> runs = new ArrayDeque<>();
  private long pendingRows;
  private int rangeIndex;
  private long pos;
  private long[] lastIds = new long[0];

  FilteredSource(List<PrunedRanges.Range> ranges, BoundPredicate predicate, List<ColumnReader> predColumns,
      List<ColumnReader> outColumns, BufferAllocator allocator, int batchSize) {
    this.ranges = ranges;
    this.predicate = predicate;
    this.predColumns = predColumns;
    this.outColumns = outColumns;
    this.allocator = allocator;
    this.batchSize = batchSize;
    for (ColumnReader c : predColumns) {
      predAssemblers.add(new ColumnAssembler(c, true));
    }
    for (ColumnReader c : outColumns) {
      outAssemblers.add(new ColumnAssembler(c, true));
    }
    this.pos = ranges.isEmpty() ? 0 : ranges.get(0).from();
  }

  /** Whether another batch follows (reads ahead until a matching row is found or the end). */
  boolean hasNext() throws IOException {
    fill(1);
    return pendingRows > 0;
  }

  /** The next batch of matching rows; call only after {@link #hasNext()} said true. */
  /** The allocator of the batches. */
  BufferAllocator allocator() {
    return allocator;
  }

  VectorSchemaRoot next() throws IOException {
    fill(batchSize);
    int rows = (int) Math.min(batchSize, pendingRows);
    lastIds = new long[rows];
    List<long[]> taken = new ArrayList<>();
    int left = rows;
    while (left > 0) {
      long[] run = runs.peekFirst();
      long n = Math.min(left, run[1] - run[0]);
      for (int k = 0; k < n; k++) {
        lastIds[rows - left + k] = run[0] + k;
      }
      taken.add(new long[] {run[0], run[0] + n});
      run[0] += n;
      if (run[0] == run[1]) {
        runs.removeFirst();
      }
      left -= (int) n;
    }
    pendingRows -= rows;
    long span = lastIds[rows - 1] + 1 - lastIds[0];
    if (taken.size() * 8L > rows && span <= 4L * rows) {
      return dense(rows, span);
    }
    try (BatchBuilder b = new BatchBuilder(outColumns, outAssemblers, allocator, rows)) {
      for (long[] run : taken) {
        b.appendRows(run[0], run[1]);
      }
      return b.finish(rows);
    }
  }

  /**
   * Many short runs close together (say every other row): reading their whole span once and
   * copying the matching rows is much cheaper than assembling each run on its own.
   */
  private VectorSchemaRoot dense(int rows, long span) throws IOException {
    long first = lastIds[0];
    VectorSchemaRoot all;
    try (BatchBuilder b = new BatchBuilder(outColumns, outAssemblers, allocator, span)) {
      b.appendRows(first, first + span);
      all = b.finish((int) span);
    }
    try (all) {
      VectorSchemaRoot out = VectorSchemaRoot.create(all.getSchema(), allocator);
      try {
        for (int c = 0; c < out.getFieldVectors().size(); c++) {
          FieldVector from = all.getVector(c);
          FieldVector to = out.getVector(c);
          to.setInitialCapacity(rows);
          to.allocateNew();
          if (from instanceof org.apache.arrow.vector.BaseFixedWidthVector fw
              && !(from instanceof org.apache.arrow.vector.BitVector)) {
            copyFixed(fw, (org.apache.arrow.vector.BaseFixedWidthVector) to, first, rows);
          } else {
            for (int i = 0; i < rows; i++) {
              to.copyFromSafe((int) (lastIds[i] - first), i, from);
            }
          }
          to.setValueCount(rows);
        }
        out.setRowCount(rows);
        return out;
      } catch (RuntimeException e) {
        out.close();
        throw e;
      }
    }
  }

  /** Copies the selected rows of a fixed-width vector byte-wise (validity bit by bit). */
  private void copyFixed(org.apache.arrow.vector.BaseFixedWidthVector from,
      org.apache.arrow.vector.BaseFixedWidthVector to, long first, int rows) {
    int w = from.getTypeWidth();
    org.apache.arrow.memory.ArrowBuf src = from.getDataBuffer();
    org.apache.arrow.memory.ArrowBuf dst = to.getDataBuffer();
    org.apache.arrow.memory.ArrowBuf validity = to.getValidityBuffer();
    boolean noNulls = from.getNullCount() == 0;
    for (int i = 0; i < rows; i++) {
      int k = (int) (lastIds[i] - first);
      dst.setBytes((long) i * w, src, (long) k * w, w);
      org.apache.arrow.vector.BitVectorHelper.setValidityBit(validity, i, noNulls || !from.isNull(k) ? 1 : 0);
    }
  }

  /** The file row of row {@code i} of the batch {@link #next()} returned last. */
  long rowId(int i) {
    return lastIds[i];
  }

  /** Evaluates input until {@code want} matching rows are pending or the input ends. */
  private void fill(long want) throws IOException {
    while (pendingRows < want && rangeIndex < ranges.size()) {
      PrunedRanges.Range r = ranges.get(rangeIndex);
      if (pos < r.from()) {
        pos = r.from();
      }
      if (pos >= r.to() || r.kind() == PrunedRanges.Kind.SKIP) {
        rangeIndex++;
        continue;
      }
      long end = Math.min(r.to(), pos + batchSize);
      if (r.kind() == PrunedRanges.Kind.ALL) {
        addRun(pos, end);
      } else {
        evaluate(pos, end);
      }
      pos = end;
    }
  }

  private void addRun(long from, long to) {
    long[] last = runs.peekLast();
    if (last != null && last[1] == from) {
      last[1] = to;
    } else {
      runs.addLast(new long[] {from, to});
    }
    pendingRows += to - from;
  }

  private void evaluate(long from, long to) throws IOException {
    int n = (int) (to - from);
    byte[] result = evaluateRows(from, to);
    int i = 0;
    while (i < n) {
      if (result[i] != BoundPredicate.TRUE) {
        i++;
        continue;
      }
      int j = i;
      while (j < n && result[j] == BoundPredicate.TRUE) {
        j++;
      }
      addRun(from + i, from + j);
      i = j;
    }
  }

  /** Reads the predicate's columns for rows {@code [from, to)} and evaluates them. */
  byte[] evaluateRows(long from, long to) throws IOException {
    int n = (int) (to - from);
    byte[] result = new byte[n];
    try (BatchBuilder b = new BatchBuilder(predColumns, predAssemblers, allocator, n)) {
      b.appendRows(from, to);
      try (VectorSchemaRoot root = b.finish(n)) {
        Map<String, FieldVector> vs = new HashMap<>();
        for (ColumnReader c : predColumns) {
          vs.put(c.name(), root.getVector(c.name()));
        }
        predicate.evaluate(vs, n, result);
      }
    }
    return result;
  }

  /** Counts matching rows without building output (ALL ranges are counted from the zone maps). */
  long count() throws IOException {
    long total = 0;
    for (PrunedRanges.Range r : ranges) {
      if (r.kind() == PrunedRanges.Kind.ALL) {
        total += r.to() - r.from();
      } else if (r.kind() == PrunedRanges.Kind.EVAL) {
        for (long a = r.from(); a < r.to(); a += batchSize) {
          long b = Math.min(r.to(), a + batchSize);
          for (byte x : evaluateRows(a, b)) {
            if (x == BoundPredicate.TRUE) {
              total++;
            }
          }
        }
      }
    }
    return total;
  }
}
