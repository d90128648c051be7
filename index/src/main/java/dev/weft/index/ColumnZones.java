package dev.weft.index;

import dev.weft.format.CorruptFileException;
import dev.weft.format.MetaInput;
import dev.weft.format.MetaOutput;
import dev.weft.format.RowGroupMeta;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The zone maps of one column (format 2.1): one for the whole file, one per row group and one per
 * zone, where zones cut each row group into ranges of {@code ZoneRows} rows (the last zone of a
 * row group may be shorter). Every column's zones have the same row ranges, so the zones of
 * several columns can be combined zone by zone.
 *
 * <pre>
 * ColumnZones --&gt; StatKind u8, Reserved u8, Reserved u16, ZoneRows u32, NumRowGroups u32, NumZones u32,
 *                 FileZone ZoneStats, RowGroupZone ZoneStats^NumRowGroups, (FirstRow u64, ZoneStats)^NumZones
 * </pre>
 */
public record ColumnZones(StatKind kind, int zoneRows, ZoneStats file, List<ZoneStats> rowGroups,
    long[] zoneFirstRows, List<ZoneStats> zones) {

  byte[] encode() {
    MetaOutput out = new MetaOutput(64 + zones.size() * 48);
    out.u8(kind.id()).u8(0).u16(0).u32(zoneRows).u32(rowGroups.size()).u32(zones.size());
    file.encode(out, kind);
    for (ZoneStats z : rowGroups) {
      z.encode(out, kind);
    }
    for (int i = 0; i < zones.size(); i++) {
      out.u64(zoneFirstRows[i]);
      zones.get(i).encode(out, kind);
    }
    return out.toByteArray();
  }

  /**
   * Parses a block whose checksum was verified, and checks it against the file's row groups:
   * the zones must tile every row group in order.
   *
   * @param expected the kind the column's field implies (a different stored kind is corruption)
   */
  public static ColumnZones decode(ByteBuffer bytes, Path file, String column, long offset, StatKind expected,
      List<RowGroupMeta> groups, long numRows) throws CorruptFileException {
    MetaInput in = new MetaInput(bytes, file, column, offset);
    int kindId = in.u8("zone map value kind");
    StatKind kind = StatKind.byId(kindId);
    if (kind != expected) {
      throw in.corrupt("zone map value kind " + kindId + " does not match the column's type (" + expected + ")");
    }
    in.u8("reserved");
    in.u16("reserved");
    int zoneRows = in.u32In("zone rows", 1, Integer.MAX_VALUE);
    in.u32In("zone map row group count", groups.size(), groups.size());
    int numZones = in.count("zone count", 33);
    ZoneStats fileZone = decodeChecked(in, kind, numRows, numRows, "file");
    List<ZoneStats> rg = new ArrayList<>(groups.size());
    for (RowGroupMeta g : groups) {
      rg.add(decodeChecked(in, kind, g.numRows(), g.numRows(), "row group"));
    }
    long[] firsts = new long[numZones];
    List<ZoneStats> zones = new ArrayList<>(numZones);
    int g = 0;
    long next = 0;
    for (int i = 0; i < numZones; i++) {
      while (g < groups.size() && next == groups.get(g).firstRow() + groups.get(g).numRows()) {
        g++;
      }
      if (g == groups.size()) {
        throw in.corrupt("zone " + i + " lies past the last row group");
      }
      RowGroupMeta grp = groups.get(g);
      firsts[i] = in.u64In("zone first row", next, next);
      long maxRows = Math.min(zoneRows, grp.firstRow() + grp.numRows() - next);
      ZoneStats z = ZoneStats.decode(in, kind, maxRows);
      if (z.numRows() < 1) {
        throw in.corrupt("zone " + i + " holds no rows");
      }
      zones.add(z);
      next += z.numRows();
    }
    if (next != numRows) {
      throw in.corrupt("zones cover " + next + " rows, the file has " + numRows);
    }
    return new ColumnZones(kind, zoneRows, fileZone, List.copyOf(rg), firsts, List.copyOf(zones));
  }

  private static ZoneStats decodeChecked(MetaInput in, StatKind kind, long max, long exact, String what)
      throws CorruptFileException {
    ZoneStats z = ZoneStats.decode(in, kind, max);
    if (z.numRows() != exact) {
      throw in.corrupt(what + " zone holds " + z.numRows() + " rows, expected " + exact);
    }
    return z;
  }

  /** The index of the zone that holds {@code row} (binary search). */
  public int zoneOf(long row) {
    int lo = 0;
    int hi = zoneFirstRows.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (zoneFirstRows[mid] <= row) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }
}
