package dev.weft.index;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;

/** Builds the zone maps and bloom filters of one column as its rows are written. */
final class ColumnIndexBuilder {
  private final StatKind kind;
  private final ValueReader reader;
  private final int zoneRows;
  private final double bloomFpp;
  private final List<ZoneStats> groups = new ArrayList<>();
  private final List<Long> zoneFirst = new ArrayList<>();
  private final List<ZoneStats> zones = new ArrayList<>();
  private final List<SplitBlockBloomFilter> blooms = new ArrayList<>();
  private ZoneAccumulator zone;
  private long nextRow;
  private long zoneStart;
  private LongSet hashes;

  ColumnIndexBuilder(Field field, int zoneRows, double bloomFpp) {
    this.kind = StatKind.of(field);
    this.reader = ValueReader.of(field);
    this.zoneRows = zoneRows;
    this.bloomFpp = kind == StatKind.NONE || kind == StatKind.BOOL ? Double.NaN : bloomFpp;
    this.hashes = hasBloom() ? new LongSet() : null;
  }

  boolean hasBloom() {
    return !Double.isNaN(bloomFpp);
  }

  /** Adds rows {@code [from, to)} of {@code v} (the column's top-level vector). */
  void add(FieldVector v, int from, int to) {
    add(v, from, to, null);
  }

  /** The filter of rows with value ids, for string and binary zone maps (made when first needed). */
  private IdFilter idFilter;

  /** As {@link #add(FieldVector, int, int)}, given the rows' value ids (see FileIndexWriter). */
  void add(FieldVector v, int from, int to, Object scope, int scopeSize, int[] ids) {
    add(v, from, to, scope, scopeSize, ids, null, null);
  }

  /** Whether string values given by id can be read from their entries alone (see FileIndexWriter). */
  boolean readsValuesById() {
    return kind == StatKind.BYTES && hashes == null;
  }

  /** As above, with the scope's entries when the values are given by id (else null; see FileIndexWriter). */
  void add(FieldVector v, int from, int to, Object scope, int scopeSize, int[] ids, byte[] valueBytes,
      int[] valueStarts) {
    if (kind != StatKind.BYTES) {
      add(v, from, to, null);
      return;
    }
    if (idFilter == null) {
      idFilter = new IdFilter();
    }
    idFilter.use(scope, scopeSize, ids, valueBytes, valueStarts);
    add(v, from, to, idFilter);
  }

  private void add(FieldVector v, int from, int to, IdFilter distinct) {
    int i = from;
    boolean noNulls = v != null && v.getNullCount() == 0; // one count for all of the batch's zones
    while (i < to) {
      if (zone == null) {
        zone = new ZoneAccumulator(kind);
        zoneStart = nextRow;
      }
      int k = (int) Math.min(to - i, zoneRows - zone.rows());
      zone.add(v, reader, i, i + k, noNulls, distinct);
      if (hashes != null) {
        for (int r = i; r < i + k; r++) {
          Object x = reader.get(v, r);
          if (x != null) {
            hashes.add(kind.hash(x));
          }
        }
      }
      i += k;
      nextRow += k;
      if (zone.rows() == zoneRows) {
        closeZone();
      }
    }
  }

  private void closeZone() {
    if (zone != null && zone.rows() > 0) {
      zoneFirst.add(zoneStart);
      zones.add(zone.finish());
    }
    zone = null;
  }

  /** Ends the current row group (its last zone and its bloom filter). */
  void endRowGroup(long groupRows) {
    closeZone();
    ZoneAccumulator g = new ZoneAccumulator(kind);
    long covered = 0;
    for (int i = zones.size() - 1; i >= 0 && covered < groupRows; i--) {
      g.merge(zones.get(i));
      covered += zones.get(i).numRows();
    }
    groups.add(g.finish());
    if (hashes != null) {
      SplitBlockBloomFilter f = new SplitBlockBloomFilter(SplitBlockBloomFilter.blocksFor(hashes.size(), bloomFpp));
      hashes.forEach(f::insert);
      blooms.add(f);
      hashes = new LongSet();
    }
  }

  ColumnZones zones() {
    ZoneAccumulator all = new ZoneAccumulator(kind);
    for (ZoneStats g : groups) {
      all.merge(g);
    }
    long[] firsts = new long[zoneFirst.size()];
    for (int i = 0; i < firsts.length; i++) {
      firsts[i] = zoneFirst.get(i);
    }
    return new ColumnZones(kind, zoneRows, all.finish(), List.copyOf(groups), firsts, List.copyOf(zones));
  }

  ColumnBlooms blooms() {
    return hasBloom() ? new ColumnBlooms(List.copyOf(blooms)) : null;
  }
}
