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
    this.columns = columns;
    this.assemblers = assemblers;
    this.allocator = allocator;
    this.outputs = new OutputNode[columns.size()];
    try {
      for (int c = 0; c < outputs.length; c++) {
        outputs[c] = OutputNode.build(columns.get(c).meta().layout().nodes(), 0, allocator, expectedRows);
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

  /** Builds the root (owned by the caller); this builder is then spent. */
  VectorSchemaRoot finish(int rows) {
    List<Field> fields = new ArrayList<>();
    for (ColumnReader c : columns) {
      fields.add(c.meta().field());
    }
    List<ArrowFieldNode> nodes = new ArrayList<>();
    List<ArrowBuf> buffers = new ArrayList<>();
    VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator);
    try {
      for (OutputNode o : outputs) {
        o.finish(nodes, buffers);
      }
      try (ArrowRecordBatch batch = new ArrowRecordBatch(rows, nodes, buffers)) {
        new VectorLoader(root).load(batch);
      }
      return root;
    } catch (RuntimeException e) {
      root.close();
      throw e;
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
