package dev.weft.cli.commands;

import dev.weft.cli.WeftCli;
import dev.weft.cli.convert.Verifier;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code weft verify SRC.parquet DEST.weft}: are they equal, value for value? */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Compares a Parquet file with a Weft file: every value, null and nested structure, in order,"
          + " column by column (matched by name; types must be those weft convert maps the Parquet"
          + " types to).",
      "Prints OK and exits 0 when they are equal; else prints the first mismatches (row, column,"
          + " both values) and exits 1. Exit status 2: a file is missing, unreadable or corrupt."
    },
    footer = {
      "",
      "Examples:",
      "  weft verify flights.parquet flights.weft",
      "  weft verify data/p0.parquet out/p0.weft --columns user,label --max-mismatches 50"
    })
public final class VerifyCommand implements Callable<Integer> {
  @ParentCommand WeftCli root;

  @Parameters(index = "0", paramLabel = "SRC.parquet", description = "The Parquet file.")
  Path parquet;

  @Parameters(index = "1", paramLabel = "DEST.weft", description = "The Weft file converted from it.")
  Path weft;

  @Option(names = "--columns", split = ",", paramLabel = "COL", description = "Compare only these columns.")
  List<String> columns;

  @Option(names = "--max-mismatches", paramLabel = "N", defaultValue = "10",
      description = "How many mismatches to print (default: ${DEFAULT-VALUE}); all are counted.")
  int maxMismatches;

  @Override
  public Integer call() throws Exception {
    PrintStream out = new PrintStream(root.stdout(), true, StandardCharsets.UTF_8);
    Verifier.Report r = Verifier.verify(parquet, weft, columns, Math.max(1, maxMismatches));
    for (String note : r.notes()) {
      out.println("note: " + note);
    }
    if (r.ok()) {
      out.println(String.format(Locale.ROOT, "OK: %,d rows, %d columns equal (%s, %s)", r.rows(), r.columns(),
          parquet, weft));
      out.flush();
      return WeftCli.EXIT_OK;
    }
    for (Verifier.Mismatch m : r.mismatches()) {
      out.println("MISMATCH " + m);
    }
    out.println(String.format(Locale.ROOT, "%,d mismatches%s (%s, %s)", r.mismatchCount(),
        r.mismatchCount() > r.mismatches().size() ? ", the first " + r.mismatches().size() + " shown" : "",
        parquet, weft));
    out.flush();
    return WeftCli.EXIT_MISMATCH;
  }
}
