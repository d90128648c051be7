package dev.weft.cli.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The conversion's batch sizes: a small first batch, doubling up to the budget's size. */
class BatchRowsTest {
  @Test
  void batchesDoubleFromTheFirstUpToTheTarget() {
    int target = 100_000;
    List<Integer> rows = new ArrayList<>();
    int r = Math.min(target, Converter.FIRST_BATCH_ROWS);
    for (int i = 0; i < 5; i++) {
      rows.add(r);
      r = Converter.nextBatchRows(r, target);
    }
    assertEquals(List.of(16_384, 32_768, 65_536, 100_000, 100_000), rows);
  }

  @Test
  void aTargetBelowTheFirstBatchIsKept() {
    assertEquals(500, Math.min(500, Converter.FIRST_BATCH_ROWS));
    assertEquals(500, Converter.nextBatchRows(500, 500));
  }

  @Test
  void doublingNeverOverflows() {
    assertEquals(Converter.MAX_BATCH_ROWS, Converter.nextBatchRows(Integer.MAX_VALUE / 2 + 1, Converter.MAX_BATCH_ROWS));
  }

  @Test
  void clampRowsKeepsAtLeastOneRowAndAtMostTheMaximum() {
    assertEquals(1, Converter.clampRows(0.2));
    assertEquals(1, Converter.clampRows(Double.NaN));
    assertEquals(Converter.MAX_BATCH_ROWS, Converter.clampRows(1e12));
  }
}
