package dev.weft.cli.commands;

import dev.weft.cli.ErrorMessages;
import dev.weft.cli.WeftCli;
import dev.weft.cli.convert.Converter;
import dev.weft.cli.parquet.Sizes;
import dev.weft.format.Codec;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code weft convert SRC... -o DEST}: Parquet to Weft. */
@Command(
    name = "convert",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Converts Parquet files to Weft files.",
      "",
      "SRC is a Parquet file, a directory (searched recursively for *.parquet, *.parq and *.pq;"
          + " names starting with '.' or '_' are skipped; key=value directories become columns,"
          + " int32 if all their values are integers, else string) or a quoted glob such as"
          + " 'data/**/*.parquet'.",
      "DEST ending in .weft (or an existing file) receives all inputs in one file (their schemas"
          + " must match); any other DEST is a directory (created if missing) with one .weft file per input at the same"
          + " relative path, or, with --target-file-size, part-00000.weft, part-00001.weft, ...",
      "Outputs appear only when complete (written under a temporary name, then renamed); an"
          + " existing output is never replaced without --overwrite.",
      "Exit status: 0 all converted, 2 bad arguments or any input failed."
    },
    footer = {
      "",
      "Examples:",
      "  weft convert ../shared/testdata/real/flights-3m.parquet -o flights.weft",
      "  weft convert data/ -o out/ --threads 4                  # one output per input",
      "  weft convert 'logs/**/*.parquet' -o out/ --target-file-size 512m",
      "  weft convert a.parquet b.parquet -o ab.weft --columns user,item,label",
      "  weft convert big.parquet -o big.weft --compression lz4 --threads 2",
      "  weft convert images.parquet -o images.weft --favor speed",
      "  weft convert data/ -o out/ --keep-going --memory-budget 256m --quiet"
    })
public final class ConvertCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.ParentCommand WeftCli root;

  @Parameters(arity = "1..*", paramLabel = "SRC", description = "Parquet files, directories or globs.")
  List<String> sources;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "DEST",
      description = "Output: a .weft file, or a directory.")
  Path dest;

  @Option(names = "--overwrite", description = "Replace existing outputs.")
  boolean overwrite;

  @Option(names = "--memory-budget", paramLabel = "SIZE", defaultValue = "auto",
      description = "Peak memory for conversion buffers (Arrow batches, Weft writer, Parquet row groups and "
          + "pages), e.g. 256m, 1g; auto (default): half the JVM's maximum heap, 512m to 8g (WEFT_JAVA_OPTS=-Xmx... "
          + "sets the heap). Shared by the outputs written at once.")
  String memoryBudget;

  /** The smallest and largest {@code --memory-budget auto}. */
  static final long AUTO_BUDGET_MIN = 512L << 20;
  static final long AUTO_BUDGET_MAX = 8L << 30;

  /**
   * {@code --memory-budget auto}: half of {@code maxHeap}, the JVM's maximum heap (the Parquet
   * reader keeps a row group's compressed bytes on the heap), within [512 MiB, 8 GiB]. A fixed
   * 512 MiB refused the row groups pyarrow writes by default (1M rows) of any wide table, e.g.
   * 371 MiB of compressed data for the 51 columns of the recsys benchmark table (1.8 GiB needed).
   */
  static long autoBudget(long maxHeap) {
    return Math.max(AUTO_BUDGET_MIN, Math.min(AUTO_BUDGET_MAX, maxHeap / 2));
  }

  @Option(names = "--compression", paramLabel = "CODEC", defaultValue = "zstd",
      description = "zstd, lz4 or none (default: ${DEFAULT-VALUE}).")
  String compression;

  @Option(names = "--threads", paramLabel = "N",
      description = "Threads: up to N outputs at once; with one output, read and write in parallel, encode "
          + "columns on N threads (and decode columns in parallel beyond 2). The output is the same for any N. "
          + "Default: the number of cores, at most 4.")
  Integer threads;

  @Option(names = "--columns", split = ",", paramLabel = "COL",
      description = "Convert only these top-level columns (and partition keys), in this order.")
  List<String> columns;

  @Option(names = "--target-file-size", paramLabel = "SIZE",
      description = "Write all inputs into part-NNNNN.weft files of about this size in the DEST directory.")
  String targetFileSize;

  @Option(names = "--keep-going", description = "Convert the other inputs when one fails (exit status 2 still).")
  boolean keepGoing;

  @Option(names = "--bloom-filter", split = ",", paramLabel = "COL[:FPP]",
      description = "Write split-block bloom filters for these columns (false-positive rate FPP, default 0.01), "
          + "so that --where COL = value skips row groups without the value, e.g. --bloom-filter city,user_id:0.001.")
  List<String> bloomFilters;

  @Option(names = "--favor", paramLabel = "size|speed", defaultValue = "size",
      description = "size (default): also encodings that are smaller but decode fast only with the JDK's Vector "
          + "API (images on a zero background: SPAN_FOLD, about 1%% smaller than SPAN; weft serve uses the Vector "
          + "API, other readers decode these images 2.5x slower); speed: only encodings that decode fast "
          + "everywhere.")
  String favor;

  @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    PrintStream out = new PrintStream(root.stdout(), true, StandardCharsets.UTF_8);
    PrintWriter err = root.stderr();
    boolean debug = debugRequested();
    long budget = memoryBudget.trim().equalsIgnoreCase("auto") ? autoBudget(Runtime.getRuntime().maxMemory())
        : parseSize("--memory-budget", memoryBudget);
    Long target = targetFileSize == null ? null : parseSize("--target-file-size", targetFileSize);
    Codec codec = switch (compression.toLowerCase(Locale.ROOT)) {
      case "zstd" -> Codec.ZSTD;
      case "lz4" -> Codec.LZ4;
      case "none", "uncompressed" -> Codec.NONE;
      default -> throw new CommandLine.ParameterException(spec.commandLine(),
          "--compression must be zstd, lz4 or none, not '" + compression + "'");
    };
    boolean favorSize = switch (favor.toLowerCase(Locale.ROOT)) {
      case "speed" -> false;
      case "size" -> true;
      default -> throw new CommandLine.ParameterException(spec.commandLine(),
          "--favor must be speed or size, not '" + favor + "'");
    };
    int n = threads != null ? threads : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    if (n < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be at least 1");
    }
    boolean terminal = System.console() != null;
    Converter.Options o = new Converter.Options(sources, dest, overwrite, budget, codec, n, columns, keepGoing,
        quiet, target, terminal, debug, blooms(), favorSize);
    Converter.Result r;
    try {
      r = new Converter(o, System.err).run();
    } finally {
      out.flush();
    }
    for (Converter.Failure f : r.failures) {
      String msg = ErrorMessages.describe(f.error());
      if (f.input() != null && !msg.contains(f.input().toString())) {
        msg = f.input() + ": " + msg;
      }
      err.println("weft convert: " + msg);
      if (debug) {
        f.error().printStackTrace(err);
      }
    }
    err.flush();
    if (!quiet) {
      out.println(summary(r));
      if (debug) {
        out.println("memory: budget " + Sizes.human(budget) + " (" + Sizes.human(r.budgetPerOutput)
            + " per output written at once), Arrow peak " + Sizes.human(r.arrowPeak) + ", JVM heap max "
            + Sizes.human(Runtime.getRuntime().maxMemory()));
      }
    }
    out.flush();
    return r.ok() ? WeftCli.EXIT_OK : WeftCli.EXIT_BAD_INPUT;
  }

  /** --bloom-filter COL[:FPP],... as column to rate. */
  private java.util.Map<String, Double> blooms() {
    java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
    for (String spec : bloomFilters == null ? List.<String>of() : bloomFilters) {
      int colon = spec.lastIndexOf(':');
      String col = colon < 0 ? spec : spec.substring(0, colon);
      double fpp = 0.01;
      if (colon >= 0) {
        try {
          fpp = Double.parseDouble(spec.substring(colon + 1));
        } catch (NumberFormatException e) {
          fpp = -1;
        }
      }
      if (col.isEmpty() || !(fpp > 0 && fpp < 1)) {
        throw new CommandLine.ParameterException(this.spec.commandLine(),
            "--bloom-filter takes COL or COL:FPP with FPP in (0, 1), not '" + spec + "'");
      }
      out.put(col, fpp);
    }
    return out;
  }

  private boolean debugRequested() {
    CommandLine.Model.OptionSpec opt = spec.findOption("--debug");
    if (opt != null && Boolean.TRUE.equals(opt.getValue())) {
      return true;
    }
    CommandLine parent = spec.commandLine().getParent();
    if (parent != null) {
      CommandLine.Model.OptionSpec p = parent.getCommandSpec().findOption("--debug");
      return p != null && Boolean.TRUE.equals(p.getValue());
    }
    return false;
  }

  private long parseSize(String option, String text) {
    try {
      return Sizes.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
    }
  }

  /** "converted 1 file, 3,000,000 rows: Parquet 13.5 MiB -> Weft 13.1 MiB (0.97x) in 1.83 s, 1,639,344 rows/s". */
  static String summary(Converter.Result r) {
    int failedInputs = (int) r.failures.stream().filter(f -> f.input() != null).map(Converter.Failure::input)
        .distinct().count();
    // what reached a finished output: without --keep-going the first failure stops the others
    int converted = Math.min(r.convertedInputs, Math.max(0, r.inputs - failedInputs));
    StringBuilder sb = new StringBuilder("converted ");
    if (failedInputs > 0 || converted < r.inputs) {
      sb.append(converted).append(" of ");
    }
    sb.append(r.inputs).append(r.inputs == 1 ? " file" : " files");
    if (r.outputs.size() > 1) {
      sb.append(" into ").append(r.outputs.size()).append(" outputs");
    }
    sb.append(String.format(Locale.ROOT, ", %,d rows: Parquet %s -> Weft %s", r.rows, Sizes.human(r.inputBytes),
        Sizes.human(r.outputBytes)));
    if (r.inputBytes > 0) {
      sb.append(String.format(Locale.ROOT, " (%.2fx)", (double) r.outputBytes / r.inputBytes));
    }
    // milliseconds for short conversions (they are what benchmarks compare), tenths for long ones
    sb.append(String.format(Locale.ROOT, r.seconds < 10 ? " in %.3f s" : " in %.1f s", r.seconds));
    if (r.seconds > 0) {
      sb.append(String.format(Locale.ROOT, ", %,.0f rows/s", r.rows / r.seconds));
    }
    if (failedInputs > 0) {
      sb.append("; ").append(failedInputs).append(" failed");
    }
    int skipped = r.inputs - converted - failedInputs;
    if (skipped > 0 && !r.failures.isEmpty()) {
      sb.append("; ").append(skipped).append(skipped == 1 ? " other was" : " others were").append(" not converted")
          .append(r.stopped ? " (stopped at the first failure; --keep-going converts the rest)"
              : " (their output was discarded)");
    }
    return sb.toString();
  }
}
