package dev.weft.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.Test;

/** Time-of-day literals ({@code tm > '12:00:00'}) against time32/time64 columns of every unit. */
class ComparandTimeTest {
  private static Field time(TimeUnit unit, int bits) {
    return new Field("tm", FieldType.nullable(new ArrowType.Time(unit, bits)), null);
  }

  @Test
  void stringsAreTimesOfDayInTheColumnsUnit() {
    assertEquals(43_200_000_000L, Comparand.of(time(TimeUnit.MICROSECOND, 64), "12:00:00").key);
    assertEquals(43_200_000_000_000L, Comparand.of(time(TimeUnit.NANOSECOND, 64), "12:00").key);
    assertEquals(45_296_789L, Comparand.of(time(TimeUnit.MILLISECOND, 32), "12:34:56.789").key);
    assertEquals(45_296L, Comparand.of(time(TimeUnit.SECOND, 32), "12:34:56").key);
  }

  @Test
  void moreDigitsThanTheUnitCompareBetweenTwoValues() {
    Comparand c = Comparand.of(time(TimeUnit.SECOND, 32), "00:00:01.5");
    assertNull(c.key, "no time32[s] value equals 1.5 s");
    assertEquals(-1, c.compare(1L));
    assertEquals(1, c.compare(2L));
  }

  @Test
  void otherStringsAreRefusedNamingTheColumn() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Comparand.of(time(TimeUnit.MICROSECOND, 64), "noon"));
    // the type as pyarrow writes it, not Arrow Java's Time(MICROSECOND, 64)
    assertTrue(e.getMessage().startsWith("column 'tm' of type time64[us] cannot be compared with the string 'noon'")
        && e.getMessage().contains("(not a time of day"), e.getMessage());
    // a number is compared with the stored count, as before
    assertEquals(5L, Comparand.of(time(TimeUnit.MICROSECOND, 64), 5L).key);
  }
}
