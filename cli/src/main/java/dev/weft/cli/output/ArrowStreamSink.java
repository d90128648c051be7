package dev.weft.cli.output;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.util.function.IntToLongFunction;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An Arrow IPC stream (the format {@code pyarrow.ipc.open_stream} reads): the schema, one record
 * batch per written batch, the end-of-stream marker. Each batch of the Weft scanner is a new
 * root; its buffers are moved by reference into the writer's root ({@link VectorUnloader} and
 * {@link VectorLoader}), so nothing is copied and only the current batch is held.
 */
final class ArrowStreamSink extends RowSink {
  private final OutputStream out;
  private final BufferAllocator allocator;
  private VectorSchemaRoot root;
  private VectorLoader loader;
  private ArrowStreamWriter writer;

  ArrowStreamSink(OutputStream out, BufferAllocator allocator) {
    // the IPC writer closes its channel when it ends; the caller owns stdout
    this.out = new FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        this.out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        flush();
      }
    };
    this.allocator = allocator;
  }

  @Override
  public void begin(Schema schema) throws IOException {
    root = VectorSchemaRoot.create(schema, allocator);
    loader = new VectorLoader(root);
    writer = new ArrowStreamWriter(root, null, Channels.newChannel(out));
    writer.start();
  }

  @Override
  public void write(VectorSchemaRoot batch, IntToLongFunction rowId) throws IOException {
    try (ArrowRecordBatch rb = new VectorUnloader(batch).getRecordBatch()) {
      loader.load(rb);
    }
    writer.writeBatch();
  }

  @Override
  public void end(String note) throws IOException {
    writer.end();
    out.flush();
  }

  /** Releases the writer's root: the references to the last batch's buffers. */
  @Override
  public void close() {
    if (root != null) {
      root.close();
      root = null;
    }
  }
}
