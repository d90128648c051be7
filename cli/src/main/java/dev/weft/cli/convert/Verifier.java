package dev.weft.cli.convert;

import dev.weft.cli.parquet.BatchReader;
import dev.weft.cli.parquet.ParquetFile;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * {@code weft verify}: reads a Parquet file (as {@code weft convert} reads it) and a Weft file
 * side by side, batch by batch, and compares every value, null and nested structure in order.
 * Columns are matched by name; Weft columns the Parquet file lacks (Hive partition keys) are
 * reported, not compared.
 */
public final class Verifier {
  /** One difference: a row, a column, where in the value, and both values. */
  public record Mismatch(long row, String column, String what, String parquet, String weft) {
    @Override
    public String toString() {
      if (row < 0) {
        return column + ": " + what;
      }
      return "row " + row + ", column " + column + ": " + what + " (parquet: " + parquet + ", weft: " + weft + ")";
    }
  }

  /** The outcome: equal, or the first mismatches and their total count. */
  public record Report(long rows, int columns, List<Mismatch> mismatches, long mismatchCount, List<String> notes) {
    public boolean ok() {
      return mismatchCount == 0;
    }
  }

  private static final int BATCH_ROWS = 4096;

  private Verifier() {}

  /**
   * @param columns top-level columns to compare (null: all of the Parquet file's)
   * @param maxShown how many mismatches to keep (all are counted)
   */
  public static Report verify(Path parquet, Path weft, List<String> columns, int maxShown) throws IOException {
    List<Mismatch> shown = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    long count = 0;
    if (dev.weft.cli.WeftFiles.isWeft(parquet) && !dev.weft.cli.WeftFiles.isWeft(weft)) {
      throw new dev.weft.cli.WeftFiles.BadInputException(parquet + ": is a Weft file; the Parquet file comes first:"
          + " weft verify SRC.parquet DEST.weft");
    }
    try (BufferAllocator alloc = new RootAllocator();
         ParquetFile pf = ParquetFile.open(parquet);
         WeftReader wr = dev.weft.cli.WeftFiles.open(weft, alloc)) {
      List<String> names = columns != null ? columns : pf.columnNames();
      Schema ps = pf.schema(names);
      Schema ws = wr.schema();
      List<String> compared = new ArrayList<>();
      for (Field f : ps.getFields()) {
        Field w = null;
        for (Field x : ws.getFields()) {
          if (x.getName().equals(f.getName())) {
            w = x;
            break;
          }
        }
        if (w == null) {
          count++;
          add(shown, maxShown, new Mismatch(-1, f.getName(), "missing in " + weft, null, null));
          continue;
        }
        String d = SchemaDiff.describe(new Schema(List.of(f)), new Schema(List.of(w)));
        if (d != null) {
          count++;
          add(shown, maxShown, new Mismatch(-1, f.getName(), "types differ: " + d, null, null));
          continue;
        }
        compared.add(f.getName());
      }
      for (Field x : ws.getFields()) {
        if (ps.getFields().stream().noneMatch(f -> f.getName().equals(x.getName()))
            && (columns == null || !columns.contains(x.getName()))) {
          notes.add("column " + x.getName() + " of " + weft + " is not in " + parquet + " (not compared)");
        }
      }
      long prow = pf.numRows();
      long wrow = wr.numRows();
      if (prow != wrow) {
        count++;
        add(shown, maxShown, new Mismatch(-1, "(rows)", parquet + " has " + prow + " rows, " + weft + " has " + wrow,
            null, null));
      }
      if (!compared.isEmpty()) {
        count += compareValues(pf, wr, compared, alloc, shown, maxShown);
      }
      return new Report(Math.min(prow, wrow), compared.size(), shown, count, notes);
    }
  }

  private static long compareValues(ParquetFile pf, WeftReader wr, List<String> cols, BufferAllocator alloc,
      List<Mismatch> shown, int maxShown) throws IOException {
    long count = 0;
    long row = 0;
    VectorSchemaRoot a = null;
    VectorSchemaRoot b = null;
    int ai = 0;
    int bi = 0;
    try (BatchReader pr = pf.batches(cols, BatchReader.Options.defaults());
         WeftScanner scan = wr.scan(cols, BATCH_ROWS)) {
      while (true) {
        if (a == null || ai == a.getRowCount()) {
          if (a != null) {
            a.close();
          }
          a = pr.next(BATCH_ROWS, alloc);
          ai = 0;
        }
        if (b == null || bi == b.getRowCount()) {
          if (b != null) {
            b.close();
          }
          b = scan.hasNext() ? scan.nextBatch() : null;
          bi = 0;
        }
        if (a == null || b == null) {
          break;
        }
        int n = Math.min(a.getRowCount() - ai, b.getRowCount() - bi);
        for (int k = 0; k < n; k++) {
          for (int c = 0; c < cols.size(); c++) {
            String d = ValueDiff.diff(a.getVector(c), ai + k, b.getVector(c), bi + k, cols.get(c));
            if (d != null) {
              count++;
              add(shown, maxShown, new Mismatch(row + k, cols.get(c), d, ValueDiff.format(a.getVector(c), ai + k),
                  ValueDiff.format(b.getVector(c), bi + k)));
            }
          }
        }
        ai += n;
        bi += n;
        row += n;
      }
    } finally {
      if (a != null) {
        a.close();
      }
      if (b != null) {
        b.close();
      }
    }
    return count;
  }

  private static void add(List<Mismatch> shown, int max, Mismatch m) {
    if (shown.size() < max) {
      shown.add(m);
    }
  }
}
