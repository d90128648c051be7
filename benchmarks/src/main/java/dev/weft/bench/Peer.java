package dev.weft.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;

/** One format + library combination measured by the Java side of the harness. */
abstract class Peer {
  /** The result name, e.g. {@code weft}, {@code lance}, {@code arrow-java-zstd}. */
  abstract String name();

  /** Library and version, e.g. {@code lance-core 7.0.0}. */
  abstract String library();

  /** A few words on the options used. */
  abstract String options();

  /** Whether this peer writes its own file (parquet-java reads the Parquet file pyarrow wrote). */
  boolean writes() {
    return true;
  }

  /** The file (or directory) name this peer writes. */
  abstract String fileName();

  /** Writes the uncompressed Arrow IPC file {@code input} to {@code target} (absent before). */
  abstract void write(Path input, Path target, BufferAllocator allocator) throws Exception;

  abstract Reader open(Path target, BufferAllocator allocator) throws Exception;

  interface Reader extends AutoCloseable {
    long numRows() throws Exception;

    /** Reads every row and column into Arrow (or decodes every value); returns the rows seen. */
    long scan(int batchRows) throws Exception;

    /**
     * Takes rows {@code ids} (in that order) of {@code columns} (null: all); returns the number of
     * rows, or -1 if this peer cannot take rows. When {@code sink} is not null, appends each row
     * as column name to normalized value (see {@link RowValues}).
     */
    long take(long[] ids, List<String> columns, List<Map<String, String>> sink) throws Exception;

    /**
     * Produces the rows where {@code filter} matches, with the columns of {@code
     * filter.project()}, through this library's filtering (or, where it has none, by reading
     * everything and filtering); returns the number of matching rows, or -1 if not supported.
     */
    default long filteredScan(FilterSpec filter, int batchRows) throws Exception {
      return -1;
    }

    /** How {@link #filteredScan} filters, in a few words (shown in the report). */
    default String filterMethod() {
      return "";
    }
  }
}
