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

/** {@code weft head FILE [-n N] [--columns a,b] [--where EXPR] [--format F]}. */
@Command(
    name = "head",
    mixinStandardHelpOptions = true,
    versionProvider = dev.weft.cli.WeftVersion.class,
    description = {
      "Print the first rows of a Weft file.",
      "The first N rows (default: 10), as a table for people or as JSON Lines, CSV or "
          + "an Arrow IPC stream for programs (--format).",
      "Only the requested rows and columns are read."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  weft head data.weft",
      "  weft head data.weft -n 3 --columns user_id,label",
      "  weft head data.weft -n 100 --format jsonl | jq .label",
      "  weft head data.weft -n 1000 --format csv > sample.csv",
      "",
      "Tables show values as pyarrow's to_pylist() does: None, True, [1, 2],",
      "{'a': 'x'}, b'\\x00'; values longer than --max-width are cut with '...'.",
      "See 'weft cat --help' for how JSON Lines and CSV write each type."
    })
public final class HeadCommand extends RowCommand {
  @Option(names = {"-n", "--num-rows"}, paramLabel = "N", defaultValue = "10",
      description = "Number of rows (default: ${DEFAULT-VALUE}).")
  long n;

  @Mixin WhereOption where;

  private dev.weft.index.Expr predicate;

  @Option(names = {"-f", "--format"}, paramLabel = "FORMAT",
      description = "table, jsonl, csv or arrow (default: table).")
  OutputFormat format;

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
    predicate = where.parse();
    if (n < 0) {
      throw new BadInputException("-n must be 0 or more, got " + n);
    }
  }

  @Override
  String writeRows(WeftReader reader, List<String> projection, RowSink sink) throws IOException {
    if (predicate != null) {
      long written = scanWhere(reader, projection, predicate, n, sink);
      return "(first " + rows(written) + " where " + where.text + columnsNote(reader, projection) + ")";
    }
    long to = Math.min(n, reader.numRows());
    long written = scanInto(reader, projection, 0, to, sink);
    return "(" + (written == reader.numRows() ? "all " : "first ") + rows(written) + " of " + count(reader.numRows())
        + columnsNote(reader, projection) + ")";
  }
}
