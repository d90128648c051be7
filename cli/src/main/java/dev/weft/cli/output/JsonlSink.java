package dev.weft.cli.output;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.IntToLongFunction;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** JSON Lines: one object per row, columns in order; values as described in {@link Cell}. */
final class JsonlSink extends TextSink {
  private String[] keys;

  JsonlSink(OutputStream out) {
    super(out);
  }

  @Override
  public void begin(Schema schema) {
    keys = new String[schema.getFields().size()];
    int c = 0;
    for (Field f : schema.getFields()) {
      keys[c++] = Json.quote(f.getName()) + ": ";
    }
  }

  @Override
  public void write(VectorSchemaRoot batch, IntToLongFunction rowId) throws IOException {
    Cell[] cells = cells(batch);
    StringBuilder sb = text;
    int rows = batch.getRowCount();
    for (int r = 0; r < rows; r++) {
      sb.append('{');
      for (int c = 0; c < cells.length; c++) {
        if (c > 0) {
          sb.append(", ");
        }
        sb.append(keys[c]);
        cells[c].json(sb, r);
      }
      sb.append("}\n");
      maybeFlush();
    }
  }
}
