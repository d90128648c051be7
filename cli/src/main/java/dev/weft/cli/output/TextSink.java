package dev.weft.cli.output;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A sink writing UTF-8 text. Rows are rendered into one {@link StringBuilder} ({@link #text})
 * and encoded in chunks of about {@value #CHUNK_CHARS} characters ({@code String.getBytes} is
 * much faster than a {@link java.io.Writer}'s encoder on non-ASCII text).
 */
abstract class TextSink extends RowSink {
  static final int CHUNK_CHARS = 1 << 15;

  private final OutputStream out;
  /** Text not yet written; call {@link #maybeFlush} after each row. */
  final StringBuilder text = new StringBuilder(CHUNK_CHARS + 1024);

  TextSink(OutputStream out) {
    this.out = new BufferedOutputStream(out, 1 << 16);
  }

  static Cell[] cells(VectorSchemaRoot batch) {
    List<FieldVector> vectors = batch.getFieldVectors();
    Cell[] cells = new Cell[vectors.size()];
    for (int c = 0; c < cells.length; c++) {
      cells[c] = Cell.of(vectors.get(c));
    }
    return cells;
  }

  /** Writes the pending text once it is long enough. */
  final void maybeFlush() throws IOException {
    if (text.length() >= CHUNK_CHARS) {
      writeText();
    }
  }

  private void writeText() throws IOException {
    if (text.length() > 0) {
      out.write(text.toString().getBytes(StandardCharsets.UTF_8));
      text.setLength(0);
    }
  }

  /** Writes everything pending and flushes the stream. */
  final void flush() throws IOException {
    writeText();
    out.flush();
  }

  @Override
  public void end(String note) throws IOException {
    flush();
  }

  /**
   * After a failure (a corrupt block in the middle of the file), writes the rows rendered so far,
   * so the output holds every row before the error.
   */
  @Override
  public void close() {
    try {
      flush();
    } catch (IOException e) {
      // the output is gone (closed pipe) or failing; the error that ended the run is reported
    }
  }
}
