package dev.weft.index;

import java.util.Map;

/**
 * What index structures a writer adds (format 2.1).
 *
 * @param zoneMaps whether zone maps are written for every column
 * @param zoneRows rows per zone within a row group
 * @param bloomColumns columns that get bloom filters, with their target false-positive rates
 * @param allColumnsFpp if in (0, 1): every column whose values are orderable (not bool) gets a
 *     bloom filter at this rate, unless {@code bloomColumns} names it; NaN: none
 */
public record IndexOptions(boolean zoneMaps, int zoneRows, Map<String, Double> bloomColumns, double allColumnsFpp) {
  public static final int DEFAULT_ZONE_ROWS = 4096;

  public IndexOptions {
    if (zoneRows < 1) {
      throw new IllegalArgumentException("zone rows must be positive, got " + zoneRows);
    }
    bloomColumns = Map.copyOf(bloomColumns);
    for (Map.Entry<String, Double> e : bloomColumns.entrySet()) {
      checkFpp(e.getValue());
    }
    if (!Double.isNaN(allColumnsFpp)) {
      checkFpp(allColumnsFpp);
    }
  }

  public static IndexOptions defaults() {
    return new IndexOptions(true, DEFAULT_ZONE_ROWS, Map.of(), Double.NaN);
  }

  /** Checks a false-positive rate is in (0, 1). */
  public static double checkFpp(double fpp) {
    if (!(fpp > 0 && fpp < 1)) {
      throw new IllegalArgumentException("bloom filter false-positive rate must be in (0, 1), got " + fpp);
    }
    return fpp;
  }

  /** The false-positive rate for a column, or NaN for no bloom filter. */
  public double bloomFpp(String column) {
    Double d = bloomColumns.get(column);
    return d != null ? d : allColumnsFpp;
  }
}
