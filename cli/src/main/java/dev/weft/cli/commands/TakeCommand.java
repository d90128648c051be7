package dev.weft.cli.commands;

import dev.weft.cli.WeftFiles.BadInputException;
import dev.weft.cli.output.OutputFormat;
import dev.weft.cli.output.RowSink;
import dev.weft.reader.WeftReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code weft take FILE --rows 5,17,100-120 [--columns a,b] [--format F]}. */
@Command(
    name = "take",
    mixinStandardHelpOptions = true,
    versionProvider = dev.weft.cli.WeftVersion.class,
    description = {
      "Print rows of a Weft file by row id.",
      "Row ids are 0-based; rows come in the order given (repeats allowed), as a table or "
          + "as JSON Lines, CSV or an Arrow IPC stream (--format).",
      "Each row is read with random access: only the mini-blocks holding it are read."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  weft take data.weft --rows 5,17,123",
      "  weft take data.weft --rows 1000-1010 --columns id,embedding",
      "  weft take data.weft --rows 3,1,2 --format jsonl",
      "",
      "A range a-b includes both ends. Row ids outside the file are an error (exit 2)."
    })
public final class TakeCommand extends RowCommand {
  @Option(names = {"-r", "--rows"}, required = true, split = ",", paramLabel = "IDS",
      description = "Row ids and inclusive ranges, comma-separated: 5,17,100-120.")
  List<String> rowSpecs;

  @Option(names = {"-f", "--format"}, paramLabel = "FORMAT",
      description = "table, jsonl, csv or arrow (default: table).")
  OutputFormat format;

  private List<long[]> ranges;

  @Override
  OutputFormat format() {
    return format;
  }

  @Override
  OutputFormat defaultFormat() {
    return OutputFormat.table;
  }

  @Override
  void checkOptions() throws IOException {
    super.checkOptions();
    ranges = parse(rowSpecs);
  }

  /** Parses "5", "10-20" (inclusive) items into [first, last] ranges. */
  static List<long[]> parse(List<String> specs) throws BadInputException {
    List<long[]> out = new ArrayList<>();
    for (String raw : specs) {
      String s = raw.strip();
      if (s.isEmpty()) {
        throw new BadInputException("--rows: empty row id in '" + String.join(",", specs) + "'");
      }
      int dash = s.indexOf('-', 1);
      long first;
      long last;
      if (dash > 0) {
        first = id(s.substring(0, dash), s);
        last = id(s.substring(dash + 1), s);
        if (last < first) {
          throw new BadInputException("--rows: range '" + s + "' ends before it starts");
        }
      } else {
        first = id(s, s);
        last = first;
      }
      out.add(new long[] {first, last});
    }
    return out;
  }

  private static long id(String text, String item) throws BadInputException {
    String t = text.strip();
    if (t.startsWith("-")) {
      throw new BadInputException("--rows: '" + item + "': row ids are 0 or more");
    }
    try {
      return Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw new BadInputException("--rows: '" + item + "' is not a row id or a range like 10-20");
    }
  }

  @Override
  String writeRows(WeftReader reader, List<String> projection, RowSink sink) throws IOException {
    long numRows = reader.numRows();
    long total = 0;
    for (long[] r : ranges) {
      long bad = r[0] >= numRows ? r[0] : r[1] >= numRows ? r[1] : -1;
      if (bad >= 0) {
        throw new BadInputException(file + ": row id " + bad + " is out of range: the file has "
            + rows(numRows) + (numRows > 0 ? " (ids 0-" + (numRows - 1) + ")" : ""));
      }
      total += r[1] - r[0] + 1;
    }
    int chunk = (int) Math.max(1, Math.min(batchRows(reader, projection), total));
    long[] buf = new long[chunk];
    int filled = 0;
    long written = 0;
    for (long[] r : ranges) {
      for (long id = r[0]; id <= r[1]; id++) {
        buf[filled++] = id;
        if (filled == buf.length) {
          written += takeInto(reader, projection, buf, filled, sink);
          filled = 0;
        }
      }
    }
    if (filled > 0) {
      written += takeInto(reader, projection, buf, filled, sink);
    }
    return "(" + rows(written) + " of " + count(numRows) + columnsNote(reader, projection) + ")";
  }

  private int takeInto(WeftReader reader, List<String> projection, long[] buf, int n, RowSink sink)
      throws IOException {
    long[] ids = n == buf.length ? buf : java.util.Arrays.copyOf(buf, n);
    try (VectorSchemaRoot rows = reader.take(ids, projection)) {
      sink.write(rows, r -> ids[r]);
      return rows.getRowCount();
    }
  }
}
