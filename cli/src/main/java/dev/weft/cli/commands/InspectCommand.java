package dev.weft.cli.commands;

import dev.weft.cli.ErrorMessages;
import dev.weft.cli.WeftCli;
import dev.weft.cli.WeftFiles;
import dev.weft.cli.output.JsonWriter;
import dev.weft.format.Codec;
import dev.weft.format.ColumnNode;
import dev.weft.format.CorruptFileException;
import dev.weft.format.RowGroupMeta;
import dev.weft.format.TypeNames;
import dev.weft.reader.EncodingStats;
import dev.weft.reader.NodeStats;
import dev.weft.reader.WeftReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code weft inspect FILE [--json] [--check]}. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    versionProvider = dev.weft.cli.WeftVersion.class,
    description = {
      "Describe a Weft file: schema, sizes, encodings, checksums.",
      "Shows the schema (Arrow types), rows, size, format version, writer, row "
          + "groups, and per column (and per node of nested columns) its pages, mini-blocks, "
          + "stored and raw bytes, compression ratio, and the encodings and codecs of its blocks.",
      "Reads metadata only (header, footer, column metadata, block tables), verifying their "
          + "checksums; --check also reads and verifies every data block."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  weft inspect data.weft",
      "  weft inspect data.weft --check          # verify every block: exit 1 if corrupt",
      "  weft inspect data.weft --json | jq '.columns[] | {name, ratio}'",
      "",
      "Exit codes: 0 OK, 1 --check found corruption, 2 not a readable Weft file."
    })
public final class InspectCommand implements Callable<Integer> {
  @ParentCommand WeftCli root;

  @Parameters(index = "0", paramLabel = "FILE", description = "The Weft file.")
  Path file;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Option(names = "--check",
      description = "Also read every data block and verify its checksum and structure; "
          + "reports OK or the corruption (exit 1).")
  boolean check;

  /** One column's statistics. */
  record ColumnInfo(String name, Field field, List<ColumnNode> nodes, List<NodeStats> stats) {
    long sum(java.util.function.ToLongFunction<NodeStats> f) {
      return stats.stream().mapToLong(f).sum();
    }

    /** Blocks per encoding over all nodes, in order of first use. */
    Map<String, Long> encodings() {
      Map<String, Long> m = new java.util.LinkedHashMap<>();
      for (NodeStats s : stats) {
        s.encodings().forEach((e, es) -> m.merge(e, es.blocks(), Long::sum));
      }
      return m;
    }

    Map<Codec, Long> codecs() {
      Map<Codec, Long> m = new EnumMap<>(Codec.class);
      for (NodeStats s : stats) {
        s.blocksByCodec().forEach((c, n) -> m.merge(c, n, Long::sum));
      }
      return m;
    }
  }

  /** What --check found. */
  record CheckResult(long blocks, double seconds, List<String[]> failures) {
    boolean ok() {
      return failures.isEmpty();
    }
  }

  @Override
  public Integer call() throws IOException {
    String text;
    CheckResult result = null;
    try (WeftReader reader = WeftFiles.open(file, null)) {
      Schema schema = reader.schema();
      List<ColumnInfo> cols = new ArrayList<>();
      for (int i = 0; i < reader.numColumns(); i++) {
        cols.add(new ColumnInfo(reader.columnName(i), reader.columnMeta(i).field(),
            reader.columnMeta(i).layout().nodes(), reader.nodeStats(i)));
      }
      if (check) {
        result = check(reader, cols);
      }
      long size = Files.size(file);
      text = json ? json(reader, schema, cols, size, result) : text(reader, schema, cols, size, result);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (RuntimeException e) {
      String msg = ErrorMessages.describe(e);
      throw new IOException(msg.contains(file.toString()) || msg.contains(file.toAbsolutePath().toString())
          ? msg : file + ": " + msg, e);
    }
    Writer out = new OutputStreamWriter(root.stdout(), StandardCharsets.UTF_8);
    out.write(text);
    out.flush();
    if (result != null && !result.ok()) {
      String[] first = result.failures().get(0);
      root.stderr().println("weft inspect: " + first[1]
          + (result.failures().size() > 1 ? " (and " + (result.failures().size() - 1) + " more corrupt columns)" : ""));
      return WeftCli.EXIT_MISMATCH;
    }
    return WeftCli.EXIT_OK;
  }

  private static CheckResult check(WeftReader reader, List<ColumnInfo> cols) throws IOException {
    long start = System.nanoTime();
    long blocks = 0;
    List<String[]> failures = new ArrayList<>();
    for (int i = 0; i < cols.size(); i++) {
      try {
        reader.verifyColumn(i);
        blocks += cols.get(i).sum(NodeStats::blocks);
      } catch (CorruptFileException e) {
        failures.add(new String[] {cols.get(i).name(), ErrorMessages.describe(e)});
      }
    }
    return new CheckResult(blocks, (System.nanoTime() - start) / 1e9, failures);
  }

  // ------------------------------------------------------------------------------------ text

  private String text(WeftReader reader, Schema schema, List<ColumnInfo> cols, long size, CheckResult check)
      throws IOException {
    StringBuilder sb = new StringBuilder();
    long stored = 0;
    long raw = 0;
    long blocks = 0;
    long pages = 0;
    long meta = 0;
    int tables = 0;
    for (ColumnInfo c : cols) {
      stored += c.sum(NodeStats::storedBytes);
      raw += c.sum(NodeStats::rawBytes);
      blocks += c.sum(NodeStats::blocks);
      pages += c.sum(NodeStats::pages);
      meta += c.sum(NodeStats::metadataBytes);
      tables += (int) c.sum(NodeStats::pages);
    }
    kv(sb, "file", file.toString());
    kv(sb, "size", bytes(size) + " (" + count(size) + " bytes)");
    kv(sb, "format version", reader.formatVersion());
    kv(sb, "created by", reader.createdBy().isEmpty() ? "(unknown)" : reader.createdBy());
    kv(sb, "rows", count(reader.numRows()));
    kv(sb, "columns", count(reader.numColumns()));
    List<RowGroupMeta> groups = reader.rowGroups();
    kv(sb, "row groups", count(groups.size()) + rowGroupSummary(groups));
    kv(sb, "pages", count(pages) + " (" + count(blocks) + " mini-blocks)");
    kv(sb, "data", bytes(stored) + " stored, " + bytes(raw) + " raw" + (stored > 0 ? " (" + ratio(raw, stored) + ")" : ""));
    kv(sb, "page metadata", bytes(meta) + " (block tables and page entries)");
    kv(sb, "checksums", "metadata verified (header, footer, directory, schema, " + count(cols.size())
        + " column blocks, " + count(tables) + " block tables)"
        + (check == null ? "; data blocks not read (--check reads them)" : ""));
    if (check != null) {
      if (check.ok()) {
        kv(sb, "check", String.format(Locale.ROOT, "OK: %s data blocks of %s columns read and verified in %.2f s",
            count(check.blocks()), count(cols.size()), check.seconds()));
      } else {
        kv(sb, "check", "FAILED: " + check.failures().size() + " of " + cols.size() + " columns are corrupt");
        for (String[] f : check.failures()) {
          sb.append("  ").append(f[1]).append('\n');
        }
      }
    }
    sb.append("\nschema\n");
    for (Field f : schema.getFields()) {
      sb.append("  ").append(TypeNames.describeField(f)).append('\n');
    }
    if (!groups.isEmpty() && groups.size() <= 20) {
      sb.append("\nrow groups\n");
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"#", "first row", "rows", "bytes", "offset"});
      for (int g = 0; g < groups.size(); g++) {
        RowGroupMeta m = groups.get(g);
        rows.add(new String[] {Integer.toString(g), count(m.firstRow()), count(m.numRows()),
            bytes(m.endOffset() - m.startOffset()), count(m.startOffset())});
      }
      table(sb, rows, new boolean[] {true, true, true, true, true});
    }
    if (!cols.isEmpty()) {
      sb.append("\ncolumns\n");
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"column", "type", "pages", "blocks", "stored", "raw", "ratio", "encodings (blocks)",
          "codecs (blocks)"});
      for (ColumnInfo c : cols) {
        rows.add(new String[] {c.name(), cut(TypeNames.of(c.field()), 32), count(c.sum(NodeStats::pages)),
            count(c.sum(NodeStats::blocks)), bytes(c.sum(NodeStats::storedBytes)), bytes(c.sum(NodeStats::rawBytes)),
            ratio(c.sum(NodeStats::rawBytes), c.sum(NodeStats::storedBytes)), counts(c.encodings()),
            codecs(c.codecs())});
        if (c.stats().size() > 1) {
          for (int n = 0; n < c.stats().size(); n++) {
            NodeStats s = c.stats().get(n);
            String type = n < c.nodes().size() ? TypeNames.of(c.nodes().get(n).field()) : s.type();
            Map<String, Long> enc = new java.util.LinkedHashMap<>();
            s.encodings().forEach((e, es) -> enc.put(e, es.blocks()));
            rows.add(new String[] {"  " + s.path(), cut(type, 32), count(s.pages()), count(s.blocks()),
                bytes(s.storedBytes()), bytes(s.rawBytes()), ratio(s.rawBytes(), s.storedBytes()), counts(enc),
                codecs(s.blocksByCodec())});
          }
        }
      }
      table(sb, rows, new boolean[] {false, false, true, true, true, true, true, false, false});
      sb.append("  (nested columns list their nodes, one per Arrow type node, indented)\n");
    }
    List<String[]> zones = ZoneMapSection.rows(reader);
    if (!zones.isEmpty()) {
      sb.append("\nzone maps (file level; '~' marks a truncated string bound)\n");
      table(sb, zones, new boolean[] {false, false, false, true, true, true, false});
    }
    return sb.toString();
  }

  private static String rowGroupSummary(List<RowGroupMeta> groups) {
    if (groups.isEmpty()) {
      return "";
    }
    long min = Long.MAX_VALUE;
    long max = 0;
    for (RowGroupMeta g : groups) {
      min = Math.min(min, g.numRows());
      max = Math.max(max, g.numRows());
    }
    return min == max ? " (" + count(min) + " rows each)" : " (" + count(min) + " to " + count(max) + " rows)";
  }

  private static void kv(StringBuilder sb, String key, String value) {
    sb.append(String.format(Locale.ROOT, "%-16s", key)).append(value).append('\n');
  }

  private static void table(StringBuilder sb, List<String[]> rows, boolean[] right) {
    int[] w = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int c = 0; c < r.length; c++) {
        w[c] = Math.max(w[c], r[c].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder("  ");
      for (int c = 0; c < r.length; c++) {
        if (c > 0) {
          line.append("  ");
        }
        String pad = " ".repeat(w[c] - r[c].length());
        line.append(right[c] ? pad + r[c] : r[c] + pad);
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }

  static String codecs(Map<Codec, Long> m) {
    StringBuilder sb = new StringBuilder();
    for (Codec c : Codec.values()) {
      Long n = m.get(c);
      if (n != null && n > 0) {
        sb.append(sb.length() > 0 ? ", " : "").append(c.name().toLowerCase(Locale.ROOT)).append(' ').append(count(n));
      }
    }
    return sb.length() == 0 ? "-" : sb.toString();
  }

  /** "FOR 3, PLAIN 1". */
  static String counts(Map<String, Long> m) {
    StringBuilder sb = new StringBuilder();
    m.forEach((k, n) -> sb.append(sb.length() > 0 ? ", " : "").append(k).append(' ').append(count(n)));
    return sb.length() == 0 ? "-" : sb.toString();
  }

  static String ratio(long raw, long stored) {
    return stored == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", (double) raw / stored);
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** 1,234 B, 12.3 KiB, 4.5 MiB, 1.2 GiB. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
  }

  // ------------------------------------------------------------------------------------ json

  private String json(WeftReader reader, Schema schema, List<ColumnInfo> cols, long size, CheckResult check) {
    JsonWriter w = new JsonWriter();
    w.beginObject();
    w.name("file").value(file.toString());
    w.name("size_bytes").value(size);
    w.name("format_version").value(reader.formatVersion());
    w.name("created_by").value(reader.createdBy());
    w.name("rows").value(reader.numRows());
    w.name("num_columns").value(reader.numColumns());
    w.name("row_groups").beginArray();
    for (RowGroupMeta g : reader.rowGroups()) {
      w.beginObject().name("first_row").value(g.firstRow()).name("rows").value(g.numRows())
          .name("start_offset").value(g.startOffset()).name("end_offset").value(g.endOffset()).endObject();
    }
    w.endArray();
    w.name("schema").beginArray();
    for (Field f : schema.getFields()) {
      field(w, f);
    }
    w.endArray();
    long stored = 0;
    long raw = 0;
    long blocks = 0;
    long pages = 0;
    long meta = 0;
    Map<Codec, Long> allCodecs = new EnumMap<>(Codec.class);
    w.name("columns").beginArray();
    for (ColumnInfo c : cols) {
      long cs = c.sum(NodeStats::storedBytes);
      long cr = c.sum(NodeStats::rawBytes);
      stored += cs;
      raw += cr;
      blocks += c.sum(NodeStats::blocks);
      pages += c.sum(NodeStats::pages);
      meta += c.sum(NodeStats::metadataBytes);
      c.codecs().forEach((k, n) -> allCodecs.merge(k, n, Long::sum));
      w.beginObject();
      w.name("name").value(c.name());
      w.name("type").value(TypeNames.of(c.field()));
      w.name("nullable").value(c.field().isNullable());
      w.name("num_nodes").value(c.stats().size());
      w.name("pages").value(c.sum(NodeStats::pages));
      w.name("blocks").value(c.sum(NodeStats::blocks));
      w.name("stored_bytes").value(cs);
      w.name("raw_bytes").value(cr);
      w.name("ratio").value(cs == 0 ? 1.0 : round((double) cr / cs));
      w.name("encodings").beginObject();
      c.encodings().forEach((e, n) -> w.name(e).value(n));
      w.endObject();
      w.name("codecs");
      codecs(w, c.codecs());
      w.name("blocks_with_nulls").value(c.sum(NodeStats::blocksWithNulls));
      w.name("metadata_bytes").value(c.sum(NodeStats::metadataBytes));
      w.name("nodes").beginArray();
      for (int n = 0; n < c.stats().size(); n++) {
        NodeStats s = c.stats().get(n);
        w.beginObject();
        w.name("path").value(s.path());
        w.name("kind").value(s.kind().name());
        w.name("type").value(n < c.nodes().size() ? TypeNames.of(c.nodes().get(n).field()) : s.type());
        w.name("pages").value(s.pages());
        w.name("blocks").value(s.blocks());
        w.name("elements").value(s.elements());
        w.name("stored_bytes").value(s.storedBytes());
        w.name("raw_bytes").value(s.rawBytes());
        w.name("ratio").value(round(s.compressionRatio()));
        w.name("encodings").beginArray();
        for (EncodingStats es : s.encodings().values()) {
          w.beginObject().name("encoding").value(es.encoding()).name("pages").value(es.pages())
              .name("blocks").value(es.blocks()).name("elements").value(es.elements())
              .name("stored_bytes").value(es.storedBytes()).name("raw_bytes").value(es.rawBytes())
              .name("bits_per_value").value(round(es.bitsPerValue())).endObject();
        }
        w.endArray();
        w.name("codecs");
        codecs(w, s.blocksByCodec());
        w.name("blocks_with_nulls").value(s.blocksWithNulls());
        w.name("metadata_bytes").value(s.metadataBytes());
        w.endObject();
      }
      w.endArray();
      w.endObject();
    }
    w.endArray();
    w.name("totals").beginObject();
    w.name("pages").value(pages);
    w.name("blocks").value(blocks);
    w.name("stored_bytes").value(stored);
    w.name("raw_bytes").value(raw);
    w.name("ratio").value(stored == 0 ? 1.0 : round((double) raw / stored));
    w.name("codecs");
    codecs(w, allCodecs);
    w.name("metadata_bytes").value(meta);
    w.endObject();
    w.name("checksums").beginObject();
    w.name("metadata").value("verified");
    w.name("data").value(check == null ? "not read" : check.ok() ? "verified" : "corrupt");
    w.endObject();
    if (check != null) {
      w.name("check").beginObject();
      w.name("status").value(check.ok() ? "ok" : "corrupt");
      w.name("blocks_verified").value(check.blocks());
      w.name("seconds").value(round(check.seconds()));
      w.name("errors").beginArray();
      for (String[] f : check.failures()) {
        w.beginObject().name("column").value(f[0]).name("message").value(f[1]).endObject();
      }
      w.endArray();
      w.endObject();
    }
    w.endObject();
    return w + "\n";
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static void codecs(JsonWriter w, Map<Codec, Long> m) {
    w.beginObject();
    for (Codec c : Codec.values()) {
      Long n = m.get(c);
      if (n != null && n > 0) {
        w.name(c.name().toLowerCase(Locale.ROOT)).value(n);
      }
    }
    w.endObject();
  }

  private static void field(JsonWriter w, Field f) {
    w.beginObject();
    w.name("name").value(f.getName());
    w.name("type").value(TypeNames.of(f));
    w.name("nullable").value(f.isNullable());
    if (f.getMetadata() != null && !f.getMetadata().isEmpty()) {
      w.name("metadata").beginObject();
      f.getMetadata().forEach((k, v) -> w.name(k).value(v));
      w.endObject();
    }
    if (!f.getChildren().isEmpty()) {
      w.name("children").beginArray();
      for (Field c : f.getChildren()) {
        field(w, c);
      }
      w.endArray();
    }
    w.endObject();
  }
}
