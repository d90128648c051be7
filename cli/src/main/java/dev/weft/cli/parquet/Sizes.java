package dev.weft.cli.parquet;

import java.util.Locale;

/** Byte sizes: parsing "256m", "1g", "64k", "1.5g", "1000000" and formatting for people. */
public final class Sizes {
  private Sizes() {}

  /**
   * Parses a size: a number with an optional unit k, m, g, t (powers of 1024; an optional "b" or
   * "ib" after it is accepted, e.g. "256MB", "1GiB").
   *
   * @throws IllegalArgumentException naming the text if it is not a size
   */
  public static long parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty size");
    }
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.endsWith("ib")) {
      s = s.substring(0, s.length() - 2);
    } else if (s.endsWith("b")) {
      s = s.substring(0, s.length() - 1);
    }
    long unit = 1;
    if (!s.isEmpty()) {
      switch (s.charAt(s.length() - 1)) {
        case 'k' -> unit = 1L << 10;
        case 'm' -> unit = 1L << 20;
        case 'g' -> unit = 1L << 30;
        case 't' -> unit = 1L << 40;
        default -> unit = 1;
      }
      if (unit != 1) {
        s = s.substring(0, s.length() - 1).trim();
      }
    }
    try {
      double v = Double.parseDouble(s);
      if (!(v >= 0) || Double.isInfinite(v) || v * unit > Long.MAX_VALUE / 2.0) {
        throw new NumberFormatException();
      }
      return (long) Math.floor(v * unit);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a size (examples: 512m, 1g, 64k, 1048576)");
    }
  }

  /** "1.5 GiB", "12.0 MiB", "512 B". */
  public static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
  }
}
