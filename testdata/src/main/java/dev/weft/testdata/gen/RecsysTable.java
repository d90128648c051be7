package dev.weft.testdata.gen;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/** The recsys table ({@link RecsysGenerator}) as a {@link TableGenerator}, for {@link GenMain}. */
public final class RecsysTable implements TableGenerator {
  private final RecsysGenerator gen;

  public RecsysTable(long rows, long seed, int batchRows) {
    this.gen = new RecsysGenerator(rows, seed, batchRows);
  }

  @Override
  public Schema schema() {
    return RecsysGenerator.schema();
  }

  @Override
  public long rows() {
    return gen.rows();
  }

  @Override
  public int batchRows() {
    return gen.batchRows();
  }

  @Override
  public VectorSchemaRoot newRoot(BufferAllocator allocator) {
    return gen.newRoot(allocator);
  }

  @Override
  public void fill(VectorSchemaRoot root, int batch) {
    gen.fill(root, batch);
  }
}
