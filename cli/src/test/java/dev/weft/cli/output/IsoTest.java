package dev.weft.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Expected strings are Python's isoformat() of the same values (where Python has them). */
class IsoTest {
  private static String date(long day) {
    StringBuilder sb = new StringBuilder();
    Iso.appendDate(sb, day);
    return sb.toString();
  }

  private static String time(long value, long perSecond) {
    StringBuilder sb = new StringBuilder();
    Iso.appendTime(sb, value, perSecond);
    return sb.toString();
  }

  private static String ts(long value, long perSecond, ZoneId zone) {
    StringBuilder sb = new StringBuilder();
    Iso.appendTimestamp(sb, value, perSecond, zone, 'T');
    return sb.toString();
  }

  @Test
  void datesMatchJavaTimeEverywhere() {
    Random rnd = new Random(1);
    for (int i = 0; i < 10_000; i++) {
      long day = rnd.nextInt(3_000_000) - 1_500_000;
      LocalDate d = LocalDate.ofEpochDay(day);
      String expected = d.getYear() >= 0 && d.getYear() <= 9999 ? d.toString() : null;
      if (expected != null) {
        assertEquals(expected, date(day), () -> "day " + day);
      }
    }
    assertEquals("1970-01-01", date(0));
    assertEquals("1969-12-31", date(-1));
    assertEquals("2000-02-29", date(11_016));
    assertEquals("0001-01-01", date(-719_162));
    assertEquals("+10000-01-01", date(2_932_897));
    assertEquals("-0001-12-31", date(-719_529));
    // extreme values do not overflow: date64 of Long.MIN_VALUE milliseconds
    assertEquals("-292275055-05-16", date(Math.floorDiv(Long.MIN_VALUE, 86_400_000L)));
    assertEquals("+5881580-07-11", date(Integer.MAX_VALUE));
  }

  @Test
  void times() {
    assertEquals("00:00:00", time(0, 1));
    assertEquals("13:45:07", time(49_507, 1));
    assertEquals("13:45:07.250000", time(49_507_250, 1_000));
    assertEquals("23:59:59.999999", time(86_399_999_999L, 1_000_000));
    assertEquals("00:00:00.000000001", time(1, 1_000_000_000));
    // outside one day (not valid Arrow, but storable): signed hours
    assertEquals("-0:00:01", time(-1, 1));
    assertEquals("24:00:00", time(86_400, 1));
    assertEquals("-0:00:00.500000", time(-500, 1_000));
  }

  @Test
  void timestamps() {
    assertEquals("1970-01-01T00:00:00", ts(0, 1, null));
    assertEquals("2023-11-14T22:13:20.123456", ts(1_700_000_000_123_456L, 1_000_000, null));
    assertEquals("1969-12-31T23:59:59.999999999", ts(-1, 1_000_000_000, null));
    assertEquals("1970-01-01T00:00:00+00:00", ts(0, 1, ZoneId.of("UTC")));
    assertEquals("2024-01-31T08:45:07-05:00", ts(1_706_708_707L, 1, ZoneId.of("America/New_York")));
    assertEquals("2024-07-01T06:00:00-04:00", ts(1_719_828_000L, 1, ZoneId.of("America/New_York")));
    assertEquals("1970-01-01T05:30:00+05:30", ts(0, 1, ZoneOffset.ofHoursMinutes(5, 30)));
    // Python shows seconds of an offset: local mean time of New York before 1883
    assertEquals("1800-01-01T00:00:00-04:56:02", ts(-5_364_644_638L, 1, ZoneId.of("America/New_York")));
    // no overflow at the ends of the range
    assertEquals("+292277026596-12-04T15:30:07", ts(Long.MAX_VALUE, 1, null));
    assertEquals("-292277022657-01-27T08:29:52", ts(Long.MIN_VALUE, 1, null));
    assertEquals("+292277026596-12-04T15:30:07+00:00", ts(Long.MAX_VALUE, 1, ZoneId.of("UTC")));
  }

  @Test
  void zones() {
    assertEquals(ZoneId.of("UTC"), Iso.zone("UTC"));
    assertEquals(ZoneOffset.ofHours(-3), Iso.zone("-03:00"));
    assertEquals(ZoneOffset.UTC, Iso.zone("not a zone"));
    assertEquals(null, Iso.zone(null));
  }
}
