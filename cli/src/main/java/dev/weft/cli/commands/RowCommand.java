package dev.weft.cli.commands;

import dev.weft.cli.ErrorMessages;
import dev.weft.cli.WeftCli;
import dev.weft.cli.WeftFiles;
import dev.weft.cli.WeftFiles.BadInputException;
import dev.weft.cli.output.OutputFormat;
import dev.weft.cli.output.RowSink;
import dev.weft.format.PageMeta;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * What {@code head}, {@code take} and {@code cat} share: the file, {@code --columns},
 * {@code --format}, {@code --max-width}, opening the file with clear errors, and streaming
 * batches into a {@link RowSink}. Batches are sized to about {@value #TARGET_BATCH_BYTES} bytes
 * of Arrow data, so rows of large values (embeddings, blobs) never pile up in memory.
 */
abstract class RowCommand implements Callable<Integer> {
  /** Arrow bytes aimed at per batch. */
  static final long TARGET_BATCH_BYTES = 8L << 20;
  static final int MAX_BATCH_ROWS = 65_536;

  @ParentCommand WeftCli root;

  @Parameters(index = "0", paramLabel = "FILE", description = "The Weft file.")
  Path file;

  @Option(names = {"-c", "--columns"}, split = ",", paramLabel = "COL",
      description = "Only these top-level columns, in this order (default: all), e.g. --columns id,label.")
  List<String> columns;

  @Option(names = {"-w", "--max-width"}, paramLabel = "N", defaultValue = "40",
      description = "Table format: characters shown per value, longer ones are cut with '...' "
          + "(default: ${DEFAULT-VALUE}; 0: no limit).")
  int maxWidth;

  /** The format chosen with --format, or null (each command's default). */
  abstract OutputFormat format();

  abstract OutputFormat defaultFormat();

  /** Writes the rows; returns the line a table prints under them (or null). */
  abstract String writeRows(WeftReader reader, List<String> projection, RowSink sink) throws IOException;

  /** Checks options before the file is opened. */
  void checkOptions() throws IOException {
    if (maxWidth < 0) {
      throw new BadInputException("--max-width must be 0 or more, got " + maxWidth);
    }
  }

  @Override
  public Integer call() throws IOException {
    checkOptions();
    OutputFormat fmt = format() == null ? defaultFormat() : format();
    if (fmt.isBinary() && stdoutIsTerminal()) {
      throw new BadInputException("refusing to write a binary Arrow IPC stream to a terminal; "
          + "redirect or pipe standard output (e.g. > out.arrows, or | python script.py)");
    }
    try (BufferAllocator allocator = new RootAllocator();
        WeftReader reader = WeftFiles.open(file, allocator)) {
      List<String> projection = resolveColumns(reader);
      try (RowSink sink = RowSink.create(fmt, root.stdout(), allocator,
          new RowSink.TableOptions(maxWidth, true))) {
        sink.begin(outputSchema(reader, projection, fmt));
        String note = writeRows(reader, projection, sink);
        sink.end(note);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (RuntimeException e) {
      throw withFile(e);
    }
    return WeftCli.EXIT_OK;
  }

  /**
   * The schema written: the projection's fields and, in an Arrow stream, the file's schema-level
   * metadata too (pandas' index and dtypes, Hugging Face features, ...), as pyarrow keeps it when it
   * reads a Parquet file. Only the Arrow format carries it; only then is the full schema read.
   */
  static org.apache.arrow.vector.types.pojo.Schema outputSchema(WeftReader reader, List<String> projection,
      OutputFormat fmt) throws IOException {
    org.apache.arrow.vector.types.pojo.Schema schema = reader.schema(projection);
    if (fmt == OutputFormat.arrow) {
      java.util.Map<String, String> meta = reader.schema().getCustomMetadata();
      if (meta != null && !meta.isEmpty()) {
        schema = new org.apache.arrow.vector.types.pojo.Schema(schema.getFields(), meta);
      }
    }
    return schema;
  }

  /**
   * Whether standard output is a terminal: on JDK 17 to 21 a console exists only when stdin and
   * stdout are terminals; from JDK 22 on, {@code Console.isTerminal()} says so.
   */
  static boolean stdoutIsTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (NoSuchMethodException e) {
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  /** A runtime failure (the reader's argument checks, Arrow limits) as an error naming the file. */
  IOException withFile(RuntimeException e) {
    String msg = ErrorMessages.describe(e);
    String abs = file.toAbsolutePath().toString();
    if (msg.contains(file.toString()) || msg.contains(abs)) {
      return new BadInputException(msg);
    }
    BadInputException b = new BadInputException(file + ": " + msg);
    b.initCause(e);
    return b;
  }

  /** The projection (null: all columns), each name checked against the file. */
  List<String> resolveColumns(WeftReader reader) throws IOException {
    if (columns == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String raw : columns) {
      String name = dev.weft.cli.ColumnNames.resolve(raw, n -> columnIndex(reader, n) >= 0);
      if (name.isEmpty() && reader.columnIndex(name) < 0) {
        throw new BadInputException("--columns: empty column name in '" + String.join(",", columns) + "'");
      }
      if (reader.columnIndex(name) < 0) {
        throw new BadInputException(file + ": no column '" + name + "'" + suggestion(reader, name));
      }
      if (!seen.add(name)) {
        throw new BadInputException("--columns: column '" + name + "' is listed twice");
      }
      out.add(name);
    }
    return out;
  }

  private static String suggestion(WeftReader reader, String name) throws IOException {
    List<String> all = new ArrayList<>();
    for (int i = 0; i < reader.numColumns(); i++) {
      String c = reader.columnName(i);
      if (c.equalsIgnoreCase(name)) {
        return " (did you mean '" + c + "'?)";
      }
      all.add(c);
    }
    if (name.contains(".")) {
      return "; --columns takes top-level columns only (" + columnList(all) + ")";
    }
    return " (" + columnList(all) + ")";
  }

  private static String columnList(List<String> all) {
    return dev.weft.cli.ColumnNames.list(all);
  }

  private static int columnIndex(WeftReader reader, String name) {
    try {
      return reader.columnIndex(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Streams rows {@code [from, to)} into {@code sink}; returns the rows written. */
  static long scanInto(WeftReader reader, List<String> projection, long from, long to, RowSink sink)
      throws IOException {
    if (to <= from) {
      return 0;
    }
    int batchRows = (int) Math.min(batchRows(reader, projection), to - from);
    long row = from;
    try (WeftScanner scanner = reader.scan(projection, batchRows, from, to)) {
      while (scanner.hasNext()) {
        try (VectorSchemaRoot batch = scanner.nextBatch()) {
          final long first = row;
          sink.write(batch, r -> first + r);
          row += batch.getRowCount();
        }
      }
    }
    return row - from;
  }

  /**
   * Streams at most {@code limit} rows that match {@code where} into {@code sink}, with their
   * file row ids; returns the rows written. Zone maps and bloom filters keep ruled-out parts of
   * the file from being read.
   */
  static long scanWhere(WeftReader reader, List<String> projection, dev.weft.index.Expr where, long limit,
      RowSink sink) throws IOException {
    if (limit <= 0) {
      return 0;
    }
    int batchRows = (int) Math.max(1, Math.min(batchRows(reader, projection), limit));
    long written = 0;
    try (WeftScanner scanner = reader.scan(projection, where, batchRows)) {
      while (written < limit && scanner.hasNext()) {
        try (VectorSchemaRoot batch = scanner.nextBatch()) {
          if (written + batch.getRowCount() > limit) {
            batch.setRowCount((int) (limit - written));
          }
          sink.write(batch, scanner::rowId);
          written += batch.getRowCount();
        }
      }
    }
    return written;
  }

  /** Parses a --where option (null: none) into a predicate, or a one-line error with the position. */
  static dev.weft.index.Expr parseWhere(String where) throws BadInputException {
    if (where == null) {
      return null;
    }
    try {
      return dev.weft.index.PredicateParser.parse(where);
    } catch (dev.weft.index.PredicateParseException e) {
      throw new BadInputException("--where: " + e.getMessage());
    }
  }

  /**
   * Rows per batch for about {@link #TARGET_BATCH_BYTES} of Arrow data, from the stored bytes
   * per row of the projected columns (page metadata only: no block table or data is read),
   * doubled for decompression.
   */
  static int batchRows(WeftReader reader, List<String> projection) throws IOException {
    if (reader.numRows() == 0) {
      return 1;
    }
    long bytes = 0;
    int columns = 0;
    if (projection == null) {
      for (int i = 0; i < reader.numColumns(); i++) {
        bytes += storedBytes(reader, i);
        columns++;
      }
    } else {
      for (String name : projection) {
        bytes += storedBytes(reader, reader.columnIndex(name));
        columns++;
      }
    }
    // 2x for decompression, + offsets and validity: roughly 8 bytes per row and column
    double perRow = Math.max(1.0, 2.0 * bytes / reader.numRows() + 8.0 * columns);
    return (int) Math.max(1, Math.min(MAX_BATCH_ROWS, TARGET_BATCH_BYTES / perRow));
  }

  private static long storedBytes(WeftReader reader, int column) throws IOException {
    long stored = 0;
    for (List<PageMeta> pages : reader.columnMeta(column).pagesPerNode()) {
      for (PageMeta p : pages) {
        stored += p.dataLength();
      }
    }
    return stored;
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String rows(long n) {
    return count(n) + (n == 1 ? " row" : " rows");
  }

  static String columnsNote(WeftReader reader, List<String> projection) {
    if (projection == null) {
      return "";
    }
    return "; " + projection.size() + " of " + reader.numColumns() + " columns";
  }
}
