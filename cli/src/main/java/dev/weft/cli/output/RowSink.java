package dev.weft.cli.output;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.IntToLongFunction;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Where the rows of {@code weft head/take/cat} go: {@link #begin} once with the schema,
 * {@link #write} for each batch (the caller keeps ownership of the batch and may close it right
 * after), then {@link #end}. Nothing is held beyond what a format needs (a table buffers at
 * most {@link TableSink#SAMPLE_ROWS} rendered rows to size its columns).
 */
public abstract class RowSink implements AutoCloseable {
  /** Starts the output. */
  public abstract void begin(Schema schema) throws IOException;

  /**
   * Writes every row of {@code batch}.
   *
   * @param rowId the file row id of each batch row (shown by tables)
   */
  public abstract void write(VectorSchemaRoot batch, IntToLongFunction rowId) throws IOException;

  /**
   * Ends the output and flushes it (the stream is not closed).
   *
   * @param note a summary line a table prints under the rows (other formats ignore it), or null
   */
  public abstract void end(String note) throws IOException;

  /** Releases what the sink holds (also after a failure); does not close the stream. */
  @Override
  public void close() {}

  /** Settings of the table format. */
  public record TableOptions(int maxWidth, boolean showRowIds) {}

  /**
   * A sink of the given format writing to {@code out}.
   *
   * @param allocator for the Arrow format's IPC writer (its vectors hold references only)
   */
  public static RowSink create(OutputFormat format, OutputStream out, BufferAllocator allocator, TableOptions table) {
    return switch (format) {
      case table -> new TableSink(out, table.maxWidth(), table.showRowIds());
      case jsonl -> new JsonlSink(out);
      case csv -> new CsvSink(out);
      case arrow -> new ArrowStreamSink(out, allocator);
    };
  }
}
