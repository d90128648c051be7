package dev.weft.cli.output;

import dev.weft.format.TypeNames;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToLongFunction;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Aligned columns for a terminal: a header of names, a line of pyarrow types, a rule, then one
 * line per row; numbers right-aligned, values longer than the maximum width cut with
 * {@code ...}, nested values rendered like pyarrow's {@code to_pylist()} (see
 * {@link Cell#display}). Column widths come from the first {@value #SAMPLE_ROWS} rows, so a
 * long output streams; later rows are cut to those widths.
 *
 * <pre>
 * #  id  name   tags
 *    int64  string  list&lt;item: int64&gt;
 * -  --  -----  ---------
 * 0   1  alice  [1, 2]
 * </pre>
 */
final class TableSink extends TextSink {
  /** Rows buffered to size the columns. */
  static final int SAMPLE_ROWS = 1000;
  private static final String GAP = "  ";
  private static final String ELLIPSIS = "...";

  private final int maxWidth;
  private final boolean showRowIds;
  private String[] names;
  private String[] types;
  private boolean[] right;
  private final List<String[]> pending = new ArrayList<>();
  private int[] widths;

  TableSink(OutputStream out, int maxWidth, boolean showRowIds) {
    super(out);
    this.maxWidth = maxWidth;
    this.showRowIds = showRowIds;
  }

  @Override
  public void begin(Schema schema) {
    List<Field> fields = schema.getFields();
    int extra = showRowIds ? 1 : 0;
    int n = fields.size() + extra;
    names = new String[n];
    types = new String[n];
    right = new boolean[n];
    if (showRowIds) {
      names[0] = "#";
      types[0] = "";
      right[0] = true;
    }
    for (int c = 0; c < fields.size(); c++) {
      Field f = fields.get(c);
      names[c + extra] = cut(f.getName());
      types[c + extra] = cut(TypeNames.of(f));
      ArrowType.ArrowTypeID id = f.getType().getTypeID();
      right[c + extra] = id == ArrowType.ArrowTypeID.Int || id == ArrowType.ArrowTypeID.FloatingPoint
          || id == ArrowType.ArrowTypeID.Decimal || id == ArrowType.ArrowTypeID.Duration;
    }
  }

  @Override
  public void write(VectorSchemaRoot batch, IntToLongFunction rowId) throws IOException {
    Cell[] cells = cells(batch);
    int extra = showRowIds ? 1 : 0;
    int limit = maxWidth > 0 ? maxWidth + 16 : Integer.MAX_VALUE;
    StringBuilder sb = new StringBuilder();
    for (int r = 0; r < batch.getRowCount(); r++) {
      String[] row = new String[cells.length + extra];
      if (showRowIds) {
        row[0] = Long.toString(rowId.applyAsLong(r));
      }
      for (int c = 0; c < cells.length; c++) {
        sb.setLength(0);
        cells[c].display(sb, r, false, limit);
        row[c + extra] = cut(sb);
      }
      if (widths == null) {
        pending.add(row);
        if (pending.size() >= SAMPLE_ROWS) {
          flushPending();
        }
      } else {
        line(row);
      }
    }
  }

  @Override
  public void end(String note) throws IOException {
    if (widths == null) {
      flushPending();
    }
    if (note != null) {
      text.append(note).append('\n');
    }
    flush();
  }

  private void flushPending() throws IOException {
    widths = new int[names.length];
    for (int c = 0; c < names.length; c++) {
      widths[c] = Math.max(width(names[c]), width(types[c]));
    }
    for (String[] row : pending) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], width(row[c]));
      }
    }
    line(names);
    line(types);
    String[] rule = new String[names.length];
    for (int c = 0; c < rule.length; c++) {
      rule[c] = "-".repeat(Math.max(1, widths[c]));
    }
    line(rule);
    for (String[] row : pending) {
      line(row);
    }
    pending.clear();
  }

  private void line(String[] row) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int c = 0; c < row.length; c++) {
      String v = row[c];
      int w = width(v);
      if (w > widths[c]) {
        v = cutTo(v, widths[c]);
        w = width(v);
      }
      if (c > 0) {
        sb.append(GAP);
      }
      if (right[c]) {
        sb.append(" ".repeat(widths[c] - w)).append(v);
      } else {
        sb.append(v).append(" ".repeat(widths[c] - w));
      }
    }
    int end = sb.length();
    while (end > 0 && sb.charAt(end - 1) == ' ') {
      end--;
    }
    sb.setLength(end);
    text.append(sb).append('\n');
    maybeFlush();
  }

  private String cut(CharSequence s) {
    return maxWidth > 0 ? cutTo(s.toString(), maxWidth) : s.toString();
  }

  /** {@code s} cut to {@code max} code points, ending with "..." when cut. */
  static String cutTo(String s, int max) {
    if (width(s) <= max) {
      return s;
    }
    if (max <= ELLIPSIS.length()) {
      return s.substring(0, s.offsetByCodePoints(0, max));
    }
    return s.substring(0, s.offsetByCodePoints(0, max - ELLIPSIS.length())) + ELLIPSIS;
  }

  static int width(String s) {
    return s.codePointCount(0, s.length());
  }
}
