package dev.weft.reader;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** Assembles one output batch of several columns and turns it into a {@link VectorSchemaRoot}. */
final class BatchBuilder implements AutoCloseable {
  private final List<ColumnReader> columns;
  private final List<ColumnAssembler> assemblers;
  private final OutputNode[] outputs;
  private final BufferAllocator allocator;

  BatchBuilder(List<ColumnReader> columns, List<ColumnAssembler> assemblers, BufferAllocator allocator,
      long expectedRows) {
    this(columns, assemblers, allocator, expectedRows, null);
  }

  /**
   * A builder whose output buffers reuse {@code recycled} (per column, see {@link RecycledBuffers#take};
   * may be null): the buffers used are taken out of those lists, the rest stay for the caller to release.
   */
  BatchBuilder(List<ColumnReader> columns, List<ColumnAssembler> assemblers, BufferAllocator allocator,
      long expectedRows, List<List<ArrowBuf>> recycled) {
    this.columns = columns;
    this.assemblers = assemblers;
    this.allocator = allocator;
    this.outputs = new OutputNode[columns.size()];
    try {
      for (int c = 0; c < outputs.length; c++) {
        java.util.Iterator<ArrowBuf> reuse = null;
        if (recycled != null && c < recycled.size()) {
          List<ArrowBuf> bufs = recycled.get(c);
          // hands each buffer over as it is taken, so that one left in the list is still the caller's
          reuse = new java.util.Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
              return i < bufs.size();
            }

            @Override
            public ArrowBuf next() {
              ArrowBuf b = bufs.get(i);
              bufs.set(i++, null);
              return b;
            }
          };
        }
        outputs[c] = OutputNode.build(columns.get(c).meta().layout().nodes(), 0, allocator, expectedRows, reuse);
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Appends rows {@code [from, to)} of every column. */
  void appendRows(long from, long to) throws IOException {
    for (int c = 0; c < outputs.length; c++) {
      assemblers.get(c).append(outputs[c], from, to);
    }
  }

  /**
   * Appends the given rows (any order, repeats allowed) of every column. Top-level fixed-width
   * columns are read in ascending row order and scattered to their output slots (see
   * {@link ColumnAssembler#appendFixedRows}); other columns row by row in the order given.
   */
  void appendTake(long[] rows) throws IOException {
    int[] order = null;
    for (int c = 0; c < outputs.length; c++) {
      OutputNode out = outputs[c];
      if (out.node.kind() == dev.weft.format.NodeKind.FIXED && out.count == 0) {
        if (order == null) {
          order = ascendingOrder(rows);
        }
        assemblers.get(c).appendFixedRows(out, rows, order);
      } else {
        ColumnAssembler a = assemblers.get(c);
        for (long r : rows) {
          a.append(out, r, r + 1);
        }
      }
    }
  }

  /** The indexes of {@code rows} ordered by row (ties by index); rows are non-negative. */
  static int[] ascendingOrder(long[] rows) {
    int n = rows.length;
    int[] order = new int[n];
    boolean sorted = true;
    for (int i = 1; i < n && sorted; i++) {
      sorted = rows[i - 1] <= rows[i];
    }
    if (sorted) {
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      return order;
    }
    int indexBits = 32 - Integer.numberOfLeadingZeros(Math.max(1, n - 1));
    long maxRow = 0;
    for (long r : rows) {
      maxRow = Math.max(maxRow, r);
    }
    if (64 - Long.numberOfLeadingZeros(maxRow) + indexBits <= 63) {
      // row and index packed in one long: a primitive sort
      long[] keys = new long[n];
      for (int i = 0; i < n; i++) {
        keys[i] = (rows[i] << indexBits) | i;
      }
      java.util.Arrays.sort(keys);
      long mask = (1L << indexBits) - 1;
      for (int i = 0; i < n; i++) {
        order[i] = (int) (keys[i] & mask);
      }
      return order;
    }
    Integer[] boxed = new Integer[n];
    for (int i = 0; i < n; i++) {
      boxed[i] = i;
    }
    java.util.Arrays.sort(boxed, (a, b) -> rows[a] != rows[b] ? Long.compare(rows[a], rows[b]) : Integer.compare(a, b));
    for (int i = 0; i < n; i++) {
      order[i] = boxed[i];
    }
    return order;
  }

  /** The schema of the batches this builder makes. */
  static Schema schema(List<ColumnReader> columns) {
    List<Field> fields = new ArrayList<>();
    for (ColumnReader c : columns) {
      fields.add(c.meta().field());
    }
    return new Schema(fields);
  }

  /** Builds the root (owned by the caller); this builder is then spent. */
  VectorSchemaRoot finish(int rows) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema(columns), allocator);
    try {
      finishInto(root, rows);
      return root;
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  /** Loads the batch into {@code root} (of this builder's schema, its vectors cleared); this builder is then spent. */
  void finishInto(VectorSchemaRoot root, int rows) {
    List<ArrowFieldNode> nodes = new ArrayList<>();
    List<ArrowBuf> buffers = new ArrayList<>();
    try {
      for (OutputNode o : outputs) {
        o.finish(nodes, buffers);
      }
      try (ArrowRecordBatch batch = new ArrowRecordBatch(rows, nodes, buffers)) {
        new VectorLoader(root).load(batch);
      }
    } finally {
      for (ArrowBuf b : buffers) {
        b.close();
      }
    }
  }

  @Override
  public void close() {
    for (OutputNode o : outputs) {
      if (o != null) {
        o.close();
      }
    }
  }
}
