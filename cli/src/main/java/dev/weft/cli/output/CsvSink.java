package dev.weft.cli.output;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.IntToLongFunction;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * RFC 4180 CSV with a header row of quoted column names and LF line ends. Null is an empty
 * field; strings, binaries (base64), intervals and nested values (their JSON text) are always
 * quoted, so an empty string ({@code ""}) and null differ, as pyarrow's {@code write_csv} does;
 * numbers, booleans, decimals, dates, times and timestamps are written unquoted (see
 * {@link Cell}).
 */
final class CsvSink extends TextSink {
  CsvSink(OutputStream out) {
    super(out);
  }

  @Override
  public void begin(Schema schema) throws IOException {
    int c = 0;
    for (Field f : schema.getFields()) {
      if (c++ > 0) {
        text.append(',');
      }
      text.append('"').append(f.getName().replace("\"", "\"\"")).append('"');
    }
    text.append('\n');
  }

  @Override
  public void write(VectorSchemaRoot batch, IntToLongFunction rowId) throws IOException {
    Cell[] cells = cells(batch);
    StringBuilder sb = text;
    int rows = batch.getRowCount();
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cells.length; c++) {
        if (c > 0) {
          sb.append(',');
        }
        cells[c].csv(sb, r);
      }
      sb.append('\n');
      maybeFlush();
    }
  }
}
