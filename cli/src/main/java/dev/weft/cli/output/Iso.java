package dev.weft.cli.output;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * ISO 8601 text of dates, times and timestamps as Python's {@code isoformat()} writes them:
 * {@code 2024-01-31}, {@code 13:45:07}, {@code 13:45:07.250000}, {@code 2024-01-31T13:45:07+01:00}.
 * Fractions of a second are omitted when zero, written with 6 digits when whole microseconds and
 * with 9 digits otherwise (Python has no nanoseconds). Years outside 0000-9999 (which Python
 * cannot represent) are written with a sign, as ISO 8601's expanded years: {@code +10000-01-01},
 * {@code -0001-12-31}. Works for every 64-bit value, without overflow.
 */
public final class Iso {
  static final long SECONDS_PER_DAY = 86_400;

  private Iso() {}

  /** Appends the date of day {@code epochDay} (days since 1970-01-01, proleptic Gregorian). */
  public static void appendDate(StringBuilder sb, long epochDay) {
    // H. Hinnant's civil_from_days; exact for |epochDay| < 2^62 / 146097.
    long z = epochDay + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) {
      y++;
    }
    if (y >= 0 && y <= 9999) {
      pad(sb, y, 4);
    } else {
      sb.append(y < 0 ? '-' : '+');
      pad(sb, Math.abs(y), 4);
    }
    sb.append('-');
    pad(sb, m, 2);
    sb.append('-');
    pad(sb, d, 2);
  }

  /** Appends {@code HH:MM:SS[.fraction]} of a second of the day in [0, 86400). */
  public static void appendTimeOfDay(StringBuilder sb, long secondOfDay, int nanos) {
    pad(sb, secondOfDay / 3600, 2);
    sb.append(':');
    pad(sb, secondOfDay / 60 % 60, 2);
    sb.append(':');
    pad(sb, secondOfDay % 60, 2);
    appendFraction(sb, nanos);
  }

  /**
   * Appends a time of day given as {@code value} units since midnight; values outside one day
   * (invalid in Arrow, but storable) are written as signed hours, e.g. {@code -1:00:00}.
   */
  public static void appendTime(StringBuilder sb, long value, long unitsPerSecond) {
    long sec = Math.floorDiv(value, unitsPerSecond);
    int nanos = (int) (Math.floorMod(value, unitsPerSecond) * (1_000_000_000L / unitsPerSecond));
    if (sec >= 0 && sec < SECONDS_PER_DAY) {
      appendTimeOfDay(sb, sec, nanos);
      return;
    }
    // out of range: sign, then |value| as hours:minutes:seconds
    boolean neg = value < 0;
    long absSec;
    int absNanos;
    if (neg) {
      // -(sec + nanos/1e9) = (-sec - 1) + (1e9 - nanos)/1e9 when nanos > 0
      absSec = nanos == 0 ? -sec : -sec - 1;
      absNanos = nanos == 0 ? 0 : 1_000_000_000 - nanos;
      sb.append('-');
    } else {
      absSec = sec;
      absNanos = nanos;
    }
    sb.append(absSec / 3600).append(':');
    pad(sb, absSec / 60 % 60, 2);
    sb.append(':');
    pad(sb, absSec % 60, 2);
    appendFraction(sb, absNanos);
  }

  /**
   * Appends a timestamp of {@code value} units since the epoch: local date-time in {@code zone}
   * (null: no zone, as a naive datetime) and, when zoned, its UTC offset ({@code +00:00}).
   *
   * @param separator 'T' (isoformat) or ' ' (str of a Python datetime)
   */
  public static void appendTimestamp(StringBuilder sb, long value, long unitsPerSecond, ZoneId zone, char separator) {
    long sec = Math.floorDiv(value, unitsPerSecond);
    int nanos = (int) (Math.floorMod(value, unitsPerSecond) * (1_000_000_000L / unitsPerSecond));
    int offset = 0;
    if (zone != null) {
      offset = offsetSeconds(zone, sec);
    }
    long local;
    try {
      local = Math.addExact(sec, offset);
    } catch (ArithmeticException e) {
      local = sec; // only at the very edge of the 64-bit range of seconds
    }
    appendDate(sb, Math.floorDiv(local, SECONDS_PER_DAY));
    sb.append(separator);
    appendTimeOfDay(sb, Math.floorMod(local, SECONDS_PER_DAY), nanos);
    if (zone != null) {
      appendOffset(sb, offset);
    }
  }

  private static int offsetSeconds(ZoneId zone, long epochSecond) {
    if (zone instanceof ZoneOffset o) {
      return o.getTotalSeconds();
    }
    long clamped = Math.max(Instant.MIN.getEpochSecond(), Math.min(Instant.MAX.getEpochSecond(), epochSecond));
    return zone.getRules().getOffset(Instant.ofEpochSecond(clamped)).getTotalSeconds();
  }

  /** Appends a UTC offset as Python does: {@code +HH:MM}, or {@code +HH:MM:SS} with seconds. */
  public static void appendOffset(StringBuilder sb, int totalSeconds) {
    sb.append(totalSeconds < 0 ? '-' : '+');
    int a = Math.abs(totalSeconds);
    pad(sb, a / 3600, 2);
    sb.append(':');
    pad(sb, a / 60 % 60, 2);
    if (a % 60 != 0) {
      sb.append(':');
      pad(sb, a % 60, 2);
    }
  }

  /** Appends {@code .ffffff} or {@code .fffffffff}, or nothing for a whole second. */
  public static void appendFraction(StringBuilder sb, int nanos) {
    if (nanos == 0) {
      return;
    }
    sb.append('.');
    if (nanos % 1000 == 0) {
      pad(sb, nanos / 1000, 6);
    } else {
      pad(sb, nanos, 9);
    }
  }

  private static void pad(StringBuilder sb, long v, int width) {
    String s = Long.toString(v);
    for (int i = s.length(); i < width; i++) {
      sb.append('0');
    }
    sb.append(s);
  }

  /** The zone of an Arrow timestamp's time zone string ("UTC", "Europe/Paris", "+05:30"), or UTC if unknown. */
  public static ZoneId zone(String tz) {
    if (tz == null) {
      return null;
    }
    try {
      return ZoneId.of(tz);
    } catch (RuntimeException e) {
      try {
        return ZoneId.of(tz.toUpperCase(java.util.Locale.ROOT));
      } catch (RuntimeException e2) {
        return ZoneOffset.UTC;
      }
    }
  }
}
