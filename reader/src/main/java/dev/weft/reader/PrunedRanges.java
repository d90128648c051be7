package dev.weft.reader;

import dev.weft.format.RowGroupMeta;
import dev.weft.index.BoundPredicate;
import dev.weft.index.ColumnBlooms;
import dev.weft.index.ColumnZones;
import dev.weft.index.StatKind;
import dev.weft.index.ZoneStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Cuts the rows of a file into ranges by what the zone maps and bloom filters say about a
 * predicate: ranges where no row can be TRUE (skipped, never read), ranges where every row is
 * certainly TRUE (read without evaluating), and ranges that must be evaluated row by row. The
 * unit is a zone when the predicate's columns have zone maps, else a row group (bloom filters
 * only); without either, one range to evaluate.
 */
final class PrunedRanges {
  enum Kind { SKIP, ALL, EVAL }

  /** Rows {@code [from, to)}. */
  record Range(long from, long to, Kind kind) {}

  private PrunedRanges() {}

  static List<Range> of(WeftReader reader, BoundPredicate p, long fromRow, long toRow) throws IOException {
    FileIndex index = reader.index();
    List<RowGroupMeta> groups = reader.rowGroups();
    Map<String, ColumnZones> zones = new HashMap<>();
    Map<String, ColumnBlooms> blooms = new HashMap<>();
    long[] grid = null;
    for (String c : p.columns()) {
      Optional<ColumnZones> z = index.zones(c, StatKind.of(p.field(c)));
      if (z.isPresent()) {
        if (grid == null) {
          grid = z.get().zoneFirstRows();
        }
        if (Arrays.equals(grid, z.get().zoneFirstRows())) {
          zones.put(c, z.get());
        }
      }
      index.blooms(c).ifPresent(b -> blooms.put(c, b));
    }
    List<Range> out = new ArrayList<>();
    int units = grid != null ? grid.length : groups.size();
    int g = 0;
    for (int u = 0; u < units; u++) {
      long from = grid != null ? grid[u] : groups.get(u).firstRow();
      long to = u + 1 < units ? (grid != null ? grid[u + 1] : groups.get(u + 1).firstRow()) : reader.numRows();
      if (to <= fromRow || from >= toRow) {
        continue;
      }
      while (g + 1 < groups.size() && groups.get(g + 1).firstRow() <= from) {
        g++;
      }
      final int unit = u;
      final int group = g;
      int bits = p.prune(new BoundPredicate.ZoneView() {
        @Override
        public ZoneStats stats(String column) {
          ColumnZones z = zones.get(column);
          return z == null ? null : z.zones().get(unit);
        }

        @Override
        public boolean mightContain(String column, StatKind kind, Object key) {
          ColumnBlooms b = blooms.get(column);
          return b == null || b.rowGroups().get(group).mightContain(kind.hash(key));
        }
      });
      Kind k = (bits & BoundPredicate.MAY_TRUE) == 0 ? Kind.SKIP
          : bits == BoundPredicate.MAY_TRUE ? Kind.ALL : Kind.EVAL;
      add(out, Math.max(from, fromRow), Math.min(to, toRow), k);
    }
    if (units == 0 && fromRow < toRow) {
      out.add(new Range(fromRow, toRow, Kind.EVAL));
    }
    return out;
  }

  private static void add(List<Range> out, long from, long to, Kind k) {
    if (!out.isEmpty()) {
      Range last = out.get(out.size() - 1);
      if (last.kind() == k && last.to() == from) {
        out.set(out.size() - 1, new Range(last.from(), to, k));
        return;
      }
    }
    out.add(new Range(from, to, k));
  }
}
