package dev.weft.cli.commands;

import dev.weft.cli.WeftFiles.BadInputException;
import dev.weft.cli.output.OutputFormat;
import dev.weft.cli.output.RowSink;
import dev.weft.reader.WeftReader;
import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code weft cat FILE [--columns a,b] [--where EXPR] [--format jsonl|csv|arrow|table]}. */
@Command(
    name = "cat",
    mixinStandardHelpOptions = true,
    versionProvider = dev.weft.cli.WeftVersion.class,
    description = {
      "Write all rows of a Weft file as JSON Lines, CSV or Arrow IPC.",
      "Streams every row to standard output (memory stays small on any file size).",
      "Formats: jsonl (default; one JSON object per row), csv (header row), arrow (an Arrow IPC "
          + "stream: pyarrow.ipc.open_stream, duckdb, polars.read_ipc_stream), table."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  weft cat data.weft | head -3",
      "  weft cat data.weft --columns id,label --format csv > labels.csv",
      "  weft cat data.weft --format arrow | python3 -c 'import sys, pyarrow.ipc as i;",
      "    print(i.open_stream(sys.stdin.buffer).read_all())'",
      "",
      "JSON Lines: each value as pyarrow's to_pylist() gives it, written as json.dumps",
      "does, with text for what JSON lacks:",
      "  null, bool, integers  as JSON (exact, uint64 too)",
      "  floats                Python's repr: 0.1, 1e-05, NaN, Infinity",
      "  decimal               string, str(Decimal): \"12.30\"",
      "  date, time            string: \"2024-01-31\", \"13:45:07.250000\"",
      "  timestamp             string, isoformat: \"2024-01-31T13:45:07\"; with a time",
      "                        zone, local time there: \"2024-01-31T08:45:07-05:00\"",
      "  duration              integer count of its unit",
      "  interval              [months, days, nanoseconds]",
      "  string                string (UTF-8)",
      "  binary                string, base64",
      "  list, struct          array, object",
      "  map                   array of [key, value] pairs",
      "Seconds have no fraction, 6 digits, or 9 digits when there are nanoseconds.",
      "CSV: the same text; null is an empty field; strings, binaries, intervals and",
      "nested values (as JSON) are always quoted, so \"\" (empty) differs from null.",
      "When the reader of the output goes away (weft cat x | head), weft stops quietly",
      "with exit code 141, as a process ended by SIGPIPE."
    })
public final class CatCommand extends RowCommand {
  @Mixin WhereOption where;

  private dev.weft.index.Expr predicate;

  @Option(names = {"-f", "--format"}, paramLabel = "FORMAT",
      description = "jsonl, csv, arrow or table (default: jsonl).")
  OutputFormat format;

  @Override
  OutputFormat format() {
    return format;
  }

  @Override
  OutputFormat defaultFormat() {
    return OutputFormat.jsonl;
  }

  @Override
  void checkOptions() throws IOException {
    super.checkOptions();
    predicate = where.parse();
  }

  @Override
  String writeRows(WeftReader reader, List<String> projection, RowSink sink) throws IOException {
    if (predicate != null) {
      long written = scanWhere(reader, projection, predicate, Long.MAX_VALUE, sink);
      return "(" + rows(written) + " matching" + columnsNote(reader, projection) + ")";
    }
    long written = scanInto(reader, projection, 0, reader.numRows(), sink);
    return "(" + rows(written) + columnsNote(reader, projection) + ")";
  }
}
