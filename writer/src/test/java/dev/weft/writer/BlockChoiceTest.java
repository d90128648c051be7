package dev.weft.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlockChoiceTest {
  private static final int FOR = 2;
  private static final int DICTIONARY = 5;

  /** Runs blocks through a choice whose samples always see {@code winner}; returns sampled block indexes. */
  private static List<Integer> samples(BlockChoice c, int blocks, int winner, int scheme) {
    List<Integer> sampled = new ArrayList<>();
    for (int b = 0; b < blocks; b++) {
      if (c.needsSample()) {
        sampled.add(b);
        c.sampled(1000, winner, 500, scheme, -1);
      } else {
        assertTrue(c.accept(500, 1000));
      }
    }
    return sampled;
  }

  @Test
  void stableColumnsAreSampledEverDoublingGapsUpToTheMaximum() {
    BlockChoice c = new BlockChoice();
    List<Integer> s = samples(c, 200, BlockChoice.UNALIGNED, FOR);
    // first sample, then gaps 0 (the second sample confirms), 1, 2, 4, 8, 16, 32, 32, ...
    assertEquals(List.of(0, 1, 3, 6, 11, 20, 37, 70, 103, 136, 169), s);
    assertTrue(c.encoded());
    assertFalse(c.aligned());
    assertEquals(FOR, c.scheme());
  }

  @Test
  void aWinnerTheRememberedWayWouldMissSamplesTheNextBlockToo() {
    BlockChoice c = new BlockChoice();
    samples(c, 40, BlockChoice.UNALIGNED, FOR);
    assertFalse(c.needsSample());
    while (!c.needsSample()) {
      c.accept(500, 1000);
    }
    c.sampled(1000, BlockChoice.ALIGNED, 400, FOR, FOR);
    assertTrue(c.needsSample(), "a different winner is confirmed on the next block");
  }

  @Test
  void schemeIdsBeyondTheIntegerSchemesAreTallied() {
    // PAETH (16, format 3.0) once overflowed a 16-slot tally: weft convert of a fixed_size_binary(16) column failed
    BlockChoice c = new BlockChoice();
    List<Integer> s = samples(c, 40, BlockChoice.UNALIGNED, dev.weft.format.encoding.PaethBytes.PAETH);
    assertFalse(s.isEmpty());
    assertEquals(dev.weft.format.encoding.PaethBytes.PAETH, c.scheme());
    c.sampled(1000, BlockChoice.UNALIGNED, 500, 255, -1);
    assertTrue(c.encoded());
  }

  @Test
  void aSecondSchemeThatWinsSomeSamplesIsTriedToo() {
    BlockChoice c = new BlockChoice();
    for (int i = 0; i < 8; i++) {
      c.sampled(1000, BlockChoice.UNALIGNED, 500, i % 3 == 0 ? DICTIONARY : FOR, -1);
    }
    assertEquals(FOR, c.scheme() == FOR ? FOR : c.altScheme());
    assertEquals(DICTIONARY, c.scheme() == DICTIONARY ? DICTIONARY : c.altScheme());
  }

  @Test
  void plainWinnersAreRememberedAsPlain() {
    BlockChoice c = new BlockChoice();
    samples(c, 10, BlockChoice.PLAIN, -1);
    assertFalse(c.encoded());
    assertEquals(-1, c.altScheme());
  }

  @Test
  void aBlockFarWorseThanTheSampleIsRejected() {
    BlockChoice c = new BlockChoice();
    c.sampled(1000, BlockChoice.UNALIGNED, 500, FOR, -1);
    assertTrue(c.accept(540, 1000));
    assertFalse(c.accept(600, 1000), "more than 10% past the sample's ratio");
  }

  @Test
  void aTinyBlockIsAcceptedHoweverItComparesWithTheSample() {
    // runs of timestamps: a sample stored in 0.7% of its raw bytes, the next block in 4%
    BlockChoice c = new BlockChoice();
    c.sampled(16_128, BlockChoice.UNALIGNED, 110, FOR, -1);
    assertTrue(c.accept(600, 16_128), "under 1/16 of raw: nothing much to gain by selecting again");
    assertTrue(c.accept(16_128 / 16, 16_128));
    assertFalse(c.accept(16_128 / 16 + 1, 16_128), "past 1/16 of raw and past the sample's ratio");
  }

  @Test
  void widthsTakingTurnsKeepDoublingGapsWhereRememberedBlocksTryBoth() {
    BlockChoice c = new BlockChoice();
    List<Integer> sampled = new ArrayList<>();
    for (int b = 0; b < 200; b++) {
      if (c.needsSample()) {
        sampled.add(b);
        // aligned and exact widths win alternately by a few bytes
        c.sampled(32_768, sampled.size() % 2 == 0 ? BlockChoice.ALIGNED : BlockChoice.UNALIGNED, 3_500, FOR, FOR);
      } else {
        assertTrue(c.accept(3_500, 32_768));
      }
    }
    assertTrue(c.tryOtherWidths(), "both widths win samples");
    assertTrue(sampled.size() < 20, "sampled " + sampled.size() + " of 200 blocks: " + sampled);
  }

  @Test
  void widthsTakingTurnsAreSampledAgainWhereRememberedBlocksTryOne() {
    BlockChoice c = new BlockChoice();
    samples(c, 60, BlockChoice.UNALIGNED, FOR);
    assertFalse(c.tryOtherWidths());
    while (!c.needsSample()) {
      c.accept(500, 1000);
    }
    c.sampled(1000, BlockChoice.ALIGNED, 400, FOR, FOR);
    assertTrue(c.needsSample(), "the remembered way tries one width: a win by the other is news");
  }
}
