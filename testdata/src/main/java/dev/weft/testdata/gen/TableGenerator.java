package dev.weft.testdata.gen;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/** A seeded table generated batch by batch; batch {@code b} is a pure function of the seed and b. */
public interface TableGenerator {
  Schema schema();

  long rows();

  int batchRows();

  default int numBatches() {
    return (int) ((rows() + batchRows() - 1) / batchRows());
  }

  VectorSchemaRoot newRoot(BufferAllocator allocator);

  /** Replaces the contents of {@code root} (from {@link #newRoot}) with batch {@code batch}. */
  void fill(VectorSchemaRoot root, int batch);
}
