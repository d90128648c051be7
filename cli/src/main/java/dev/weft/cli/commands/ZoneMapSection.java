package dev.weft.cli.commands;

import dev.weft.index.ColumnBlooms;
import dev.weft.index.ColumnZones;
import dev.weft.index.SplitBlockBloomFilter;
import dev.weft.index.StatKind;
import dev.weft.index.ZoneStats;
import dev.weft.cli.output.Iso;
import dev.weft.reader.WeftReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/** The "zone maps" part of {@code weft inspect}: each column's file-level zone map and bloom filters. */
final class ZoneMapSection {
  /** Columns shown at most (a wide file shows the first ones). */
  static final int MAX_COLUMNS = 200;

  private ZoneMapSection() {}

  /** One row per column: min, max, nulls, NaNs, zones, bloom filters; "" for a file without zone maps. */
  static List<String[]> rows(WeftReader reader) throws IOException {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"column", "min", "max", "nulls", "NaNs", "zones", "bloom filters"});
    boolean any = false;
    for (int i = 0; i < Math.min(reader.numColumns(), MAX_COLUMNS); i++) {
      String name = reader.columnName(i);
      Field f = reader.columnMeta(i).field();
      ColumnZones z = reader.zoneMaps(name);
      ColumnBlooms b = reader.bloomFilters(name);
      if (z == null && b == null) {
        continue;
      }
      any = true;
      String min = "-";
      String max = "-";
      String nulls = "-";
      String nans = "-";
      String zones = "-";
      if (z != null) {
        ZoneStats s = z.file();
        min = show(f, z.kind(), s.min(), s.minExact());
        max = show(f, z.kind(), s.max(), s.maxExact());
        nulls = InspectCommand.count(s.nullCount());
        nans = z.kind() == StatKind.FLOAT64 ? InspectCommand.count(s.nanCount()) : "-";
        zones = InspectCommand.count(z.zones().size()) + " of " + InspectCommand.count(z.zoneRows()) + " rows";
      }
      String bloom = "-";
      if (b != null) {
        long bytes = 0;
        for (SplitBlockBloomFilter g : b.rowGroups()) {
          bytes += (long) g.numBlocks() * SplitBlockBloomFilter.BLOCK_BYTES;
        }
        bloom = b.rowGroups().size() + " (" + InspectCommand.count(bytes) + " bytes)";
      }
      rows.add(new String[] {name, min, max, nulls, nans, zones, bloom});
    }
    return any ? rows : List.of();
  }

  /** A bound as text; '~' marks a truncated (inexact) string bound. */
  static String show(Field f, StatKind kind, Object v, boolean exact) {
    if (v == null) {
      return "-";
    }
    String s = switch (kind) {
      case INT64 -> showInt64(f.getType(), (Long) v);
      case UINT64 -> Long.toUnsignedString((Long) v);
      case DECIMAL -> new BigDecimal((BigInteger) v, ((ArrowType.Decimal) f.getType()).getScale()).toPlainString();
      case BYTES -> StatKind.isText(f) ? "'" + new String((byte[]) v, StandardCharsets.UTF_8) + "'"
          : "0x" + HexFormat.of().formatHex((byte[]) v);
      default -> String.valueOf(v).toLowerCase(Locale.ROOT);
    };
    if (s.length() > 26) {
      s = s.substring(0, 23) + "...";
    }
    return exact ? s : s + "~";
  }

  /** A 64-bit bound: dates and timestamps as ISO text (as in weft head), other types as numbers. */
  private static String showInt64(ArrowType type, long v) {
    if (type instanceof ArrowType.Date d && d.getUnit() == DateUnit.DAY) {
      return LocalDate.ofEpochDay(v).toString();
    }
    if (type instanceof ArrowType.Timestamp t) {
      long perSecond = switch (t.getUnit()) {
        case SECOND -> 1L;
        case MILLISECOND -> 1_000L;
        case MICROSECOND -> 1_000_000L;
        case NANOSECOND -> 1_000_000_000L;
      };
      StringBuilder sb = new StringBuilder();
      Iso.appendTimestamp(sb, v, perSecond, t.getTimezone() == null ? null : Iso.zone(t.getTimezone()), ' ');
      return sb.toString();
    }
    return Long.toString(v);
  }
}
