package dev.weft.cli.output;

/** The output formats of {@code weft head}, {@code take} and {@code cat}. */
public enum OutputFormat {
  /** Aligned columns for people. */
  table,
  /** One JSON object per row (JSON Lines). */
  jsonl,
  /** RFC 4180 CSV with a header row. */
  csv,
  /** An Arrow IPC stream (pyarrow.ipc.open_stream). */
  arrow;

  /** Whether the format is binary (never written to a terminal). */
  public boolean isBinary() {
    return this == arrow;
  }
}
