package dev.weft.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

class CodecProbeTest {
  /** Runs {@code blocks} blocks through a probe; returns the indexes of those that tried the codec. */
  private static List<Integer> tried(CodecProbe p, int blocks, IntPredicate pays) {
    List<Integer> tried = new ArrayList<>();
    for (int b = 0; b < blocks; b++) {
      if (p.tryNext()) {
        tried.add(b);
        p.result(pays.test(b));
      }
    }
    return tried;
  }

  @Test
  void everyBlockTriesTheCodecWhileItPays() {
    CodecProbe p = new CodecProbe();
    assertEquals(100, tried(p, 100, b -> true).size());
    assertFalse(p.skipping());
  }

  @Test
  void aCodecThatNeverPaysIsTriedOnProbesWithDoublingGaps() {
    CodecProbe p = new CodecProbe();
    List<Integer> t = tried(p, 200, b -> false);
    // the first 8 blocks, then gaps of 1, 2, 4, 8, 16, 32, 32, ...
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 17, 26, 43, 76, 109, 142, 175), t);
    assertTrue(p.skipping());
  }

  @Test
  void oneBlockWhereItPaysMakesEveryBlockTryItAgain() {
    CodecProbe p = new CodecProbe();
    // incompressible for 100 blocks, then compressible: the first probe after block 100 finds it
    List<Integer> t = tried(p, 160, b -> b >= 100);
    int firstPaying = t.stream().filter(b -> b >= 100).findFirst().orElseThrow();
    assertTrue(firstPaying <= 100 + CodecProbe.MAX_GAP, "probe at " + firstPaying);
    for (int b = firstPaying; b < 160; b++) {
      assertTrue(t.contains(b), "block " + b + " tries the codec again");
    }
    assertFalse(p.skipping());
  }

  @Test
  void failuresMustBeConsecutiveToStartSkipping() {
    CodecProbe p = new CodecProbe();
    // pays on every 5th block: never 8 failures in a row
    assertEquals(300, tried(p, 300, b -> b % 5 == 0).size());
  }
}
