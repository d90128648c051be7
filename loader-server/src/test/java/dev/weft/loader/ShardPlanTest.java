package dev.weft.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.PrimitiveIterator;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sharding over ranks and workers: exactly once, equal batch counts, worker independence, resume. */
class ShardPlanTest {
  private static final DatasetFingerprint FP = EpochOrderTest.FP;

  /** Every (N, W, B) combination of a few edge-heavy values. */
  private static final long[] NS = {0, 1, 2, 7, 63, 64, 65, 100, 1000, 1023, 4097};
  private static final int[] WS = {1, 2, 3, 8};
  private static final int[] BS = {1, 2, 5, 32, 256};

  /** The batches the training loop of rank r receives, via K workers taken round-robin. */
  private static List<Long> loopSequence(ShardPlan plan, int numWorkers, long fromBatch) {
    List<PrimitiveIterator.OfLong> workers = new ArrayList<>();
    for (int w = 0; w < numWorkers; w++) {
      PrimitiveIterator.OfLong it = plan.batchesOfWorker(w, numWorkers, fromBatch);
      workers.add(it);
    }
    List<Long> out = new ArrayList<>();
    for (int w = 0; ; w = (w + 1) % numWorkers) {
      if (!workers.get(w).hasNext()) {
        // round-robin ends at the first exhausted worker; all later ones must be exhausted too
        for (PrimitiveIterator.OfLong it : workers) {
          assertFalse(it.hasNext(), "workers must run out in round-robin order");
        }
        return out;
      }
      out.add(workers.get(w).nextLong());
    }
  }

  @Test
  void dropLastUsesEveryKeptPositionExactlyOnce() {
    for (long n : NS) {
      for (int world : WS) {
        for (int b : BS) {
          long batches = n / world / b;
          int[][] count = new int[2][(int) n];
          int[] ks = {1, 3};
          for (int r = 0; r < world; r++) {
            ShardPlan plan = ShardPlan.create(n, r, world, b);
            assertEquals(batches, plan.batchesPerRank(), plan.toString());
            for (int ki = 0; ki < ks.length; ki++) {
              int k = ks[ki];
              long total = 0;
              for (int w = 0; w < k; w++) {
                total += plan.numBatchesOfWorker(w, k, 0);
                PrimitiveIterator.OfLong it = plan.batchesOfWorker(w, k, 0);
                while (it.hasNext()) {
                  long j = it.nextLong();
                  assertEquals(w, j % k);
                  for (long q : plan.positionsOfBatch(j)) {
                    count[ki][(int) q]++;
                  }
                }
              }
              assertEquals(batches, total, "the workers together produce every batch of the rank");
            }
          }
          long used = (long) world * b * batches;
          for (int ki = 0; ki < ks.length; ki++) {
            for (int q = 0; q < n; q++) {
              assertEquals(q < used ? 1 : 0, count[ki][q],
                  "N=" + n + " W=" + world + " B=" + b + " K=" + ks[ki] + " position " + q);
            }
          }
        }
      }
    }
  }

  @Test
  void padUsesEveryPositionAndPadsByWrappingAround() {
    for (long n : NS) {
      for (int world : WS) {
        for (int b : BS) {
          long perRank = (n + world - 1) / world;
          long batches = (perRank + b - 1) / b;
          int[] count = new int[(int) Math.max(n, 1)];
          for (int r = 0; r < world; r++) {
            ShardPlan plan = ShardPlan.create(n, r, world, b, ShardPlan.Tail.PAD);
            assertEquals(batches, plan.batchesPerRank(), plan.toString());
            for (long j = 0; j < batches; j++) {
              long[] pos = plan.positionsOfBatch(j);
              assertEquals(b, pos.length);
              for (long q : pos) {
                count[(int) q]++;
              }
            }
          }
          long total = (long) world * b * batches;
          if (n == 0) {
            assertEquals(0, batches);
            continue;
          }
          // position q is used once, plus once per wrap that covers it: the total padded slots
          // [n, total) read positions (slot mod n)
          for (int q = 0; q < n; q++) {
            long expected = 1 + countWraps(q, n, total);
            assertEquals(expected, count[q], "N=" + n + " W=" + world + " B=" + b + " position " + q);
          }
        }
      }
    }
  }

  private static long countWraps(long q, long n, long total) {
    long c = 0;
    for (long slot = n + q; slot < total; slot += n) {
      c++;
    }
    return c;
  }

  @Test
  void ranksAreDisjointAndStrided() {
    ShardPlan r0 = ShardPlan.create(1000, 0, 4, 8);
    ShardPlan r3 = ShardPlan.create(1000, 3, 4, 8);
    assertArrayEquals(new long[] {0, 4, 8, 12, 16, 20, 24, 28}, r0.positionsOfBatch(0));
    assertArrayEquals(new long[] {35, 39, 43, 47, 51, 55, 59, 63}, r3.positionsOfBatch(1));
    assertEquals(31, r0.batchesPerRank());
    assertThrows(IndexOutOfBoundsException.class, () -> r0.positionsOfBatch(31));
    assertThrows(IllegalArgumentException.class, () -> ShardPlan.create(10, 4, 4, 1));
    assertThrows(IllegalArgumentException.class, () -> ShardPlan.create(10, 0, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> ShardPlan.create(10, 0, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> r0.batchesOfWorker(2, 2, 0));
  }

  @Test
  void theTrainingLoopSequenceDoesNotDependOnTheWorkerCount() {
    for (ShardPlan.Tail tail : ShardPlan.Tail.values()) {
      ShardPlan plan = ShardPlan.create(10_007, 1, 3, 16, tail);
      List<Long> expected = new ArrayList<>();
      for (long j = 0; j < plan.batchesPerRank(); j++) {
        expected.add(j);
      }
      for (int k = 1; k <= 9; k++) {
        assertEquals(expected, loopSequence(plan, k, 0), "K=" + k);
      }
    }
  }

  @Test
  void resumeContinuesExactlyWhereTheRunStopped() {
    Random rnd = new Random(0xC0FFEEL);
    long n = 5_003;
    int world = 3;
    int b = 8;
    for (int trial = 0; trial < 40; trial++) {
      int rank = rnd.nextInt(world);
      long epoch = rnd.nextInt(5);
      ShardPlan.Tail tail = rnd.nextBoolean() ? ShardPlan.Tail.DROP_LAST : ShardPlan.Tail.PAD;
      ShuffleOptions opts = rnd.nextBoolean() ? ShuffleOptions.global(9) : ShuffleOptions.block(9, 32, 4);
      ShardPlan plan = ShardPlan.create(n, rank, world, b, tail);
      EpochOrder order = EpochOrder.create(n, FP, opts, epoch);
      // the uninterrupted run, with some worker count
      int k1 = 1 + rnd.nextInt(4);
      List<Long> run = loopSequence(plan, k1, 0);
      List<long[]> runIds = new ArrayList<>();
      for (long j : run) {
        runIds.add(plan.rowIdsOfBatch(order, j));
      }
      // stop after a random batch, checkpoint its tag, resume in fresh objects with another K
      int stop = rnd.nextInt(run.size());
      BatchTag tag = plan.tag(order, run.get(stop));
      assertEquals(epoch, tag.epoch());
      assertEquals(plan.positionsOfBatch(tag.batchIndex())[0], tag.firstPosition());
      assertEquals(FP, tag.fingerprint());
      ShardPlan plan2 = ShardPlan.create(n, rank, world, b, tail);
      EpochOrder order2 = EpochOrder.create(n, DatasetFingerprint.ofHex(tag.fingerprint().hex()), opts, tag.epoch());
      int k2 = 1 + rnd.nextInt(4);
      List<Long> resumed = loopSequence(plan2, k2, tag.batchIndex() + 1);
      assertEquals(run.subList(stop + 1, run.size()), resumed, "trial " + trial + " K " + k1 + " -> " + k2);
      for (int i = 0; i < resumed.size(); i++) {
        assertArrayEquals(runIds.get(stop + 1 + i), plan2.rowIdsOfBatch(order2, resumed.get(i)));
      }
      long total = 0;
      for (int w = 0; w < k2; w++) {
        total += plan2.numBatchesOfWorker(w, k2, tag.batchIndex() + 1);
      }
      assertEquals(resumed.size(), total);
    }
  }

  @Test
  void rowIdsAreTheOrderAtThePositions() {
    EpochOrder order = EpochOrder.create(777, FP, ShuffleOptions.global(3), 0);
    ShardPlan plan = ShardPlan.create(777, 2, 5, 7, ShardPlan.Tail.PAD);
    for (long j = 0; j < plan.batchesPerRank(); j++) {
      long[] pos = plan.positionsOfBatch(j);
      long[] ids = plan.rowIdsOfBatch(order, j);
      for (int k = 0; k < pos.length; k++) {
        assertEquals(order.at(pos[k]), ids[k]);
      }
    }
    assertThrows(IllegalArgumentException.class,
        () -> plan.rowIdsOfBatch(EpochOrder.create(778, FP, ShuffleOptions.none(), 0), 0));
    assertTrue(plan.toString().contains("PAD"));
  }

  @Test
  void resumingAtTheGlobalPositionWithAnotherWorldSizeNeitherRepeatsNorSkips() {
    Random rnd = new Random(41);
    for (int trial = 0; trial < 300; trial++) {
      long n = 1 + rnd.nextInt(3000);
      int w1 = 1 + rnd.nextInt(8);
      int b1 = 1 + rnd.nextInt(40);
      ShardPlan.Tail tail = rnd.nextBoolean() ? ShardPlan.Tail.DROP_LAST : ShardPlan.Tail.PAD;
      ShardPlan first0 = ShardPlan.create(n, 0, w1, b1, ShardPlan.Tail.DROP_LAST);
      if (first0.batchesPerRank() == 0) {
        continue;
      }
      long consumedBatches = rnd.nextInt((int) first0.batchesPerRank()); // every rank consumed 0..j
      boolean[] seen = new boolean[(int) n];
      long resume = first0.resumePosition(consumedBatches);
      for (int r = 0; r < w1; r++) {
        ShardPlan p = ShardPlan.create(n, r, w1, b1, ShardPlan.Tail.DROP_LAST);
        assertEquals(resume, p.resumePosition(consumedBatches), "every rank agrees");
        for (long j = 0; j <= consumedBatches; j++) {
          for (long q : p.positionsOfBatch(j)) {
            assertFalse(seen[(int) q], "position " + q + " twice in the first run");
            seen[(int) q] = true;
          }
        }
      }
      for (long q = 0; q < n; q++) {
        assertEquals(q < resume, seen[(int) q], "the first run consumed exactly [0, resume) at " + q);
      }
      // restart with another world size and batch size from the resume position
      int w2 = 1 + rnd.nextInt(8);
      int b2 = 1 + rnd.nextInt(40);
      long[] count = new long[(int) n];
      long batches = -1;
      for (int r = 0; r < w2; r++) {
        ShardPlan p = ShardPlan.create(n, r, w2, b2, tail, resume);
        assertEquals(resume, p.startPosition());
        batches = p.batchesPerRank();
        for (long j = 0; j < p.batchesPerRank(); j++) {
          long[] pos = p.positionsOfBatch(j);
          assertEquals(pos[0], p.tag(EpochOrder.create(n, EpochOrderTest.FP, ShuffleOptions.none(), 0), j).firstPosition());
          for (long q : pos) {
            count[(int) q]++;
          }
        }
      }
      long rest = n - resume;
      if (tail == ShardPlan.Tail.DROP_LAST) {
        assertEquals(rest / w2 / b2, batches);
        long end = resume + batches * w2 * b2;
        for (long q = 0; q < n; q++) {
          assertEquals(q >= resume && q < end ? 1 : 0, count[(int) q], "position " + q);
        }
        assertTrue(n - end < (long) w2 * b2 || rest == 0, "only a tail shorter than one batch per rank is dropped");
      } else {
        assertEquals(((rest + w2 - 1) / w2 + b2 - 1) / b2, batches);
        for (long q = resume; q < n; q++) {
          assertTrue(count[(int) q] >= 1, "position " + q + " skipped");
        }
        long repeats = 0;
        for (long q = 0; q < n; q++) {
          repeats += q < resume ? count[(int) q] : count[(int) q] - 1;
        }
        assertTrue(repeats < (long) w2 * b2, "padding repeats fewer than one batch per rank");
      }
    }
  }

  @Test
  void startPositionIsChecked() {
    assertThrows(IllegalArgumentException.class, () -> ShardPlan.create(10, 0, 1, 2, ShardPlan.Tail.PAD, 11));
    assertThrows(IllegalArgumentException.class, () -> ShardPlan.create(10, 0, 1, 2, ShardPlan.Tail.PAD, -1));
    assertEquals(0, ShardPlan.create(10, 0, 1, 2, ShardPlan.Tail.PAD, 10).batchesPerRank());
    assertEquals(10, ShardPlan.create(10, 0, 1, 2, ShardPlan.Tail.DROP_LAST, 4).resumePosition(2));
    assertEquals(8, ShardPlan.create(10, 0, 1, 2, ShardPlan.Tail.DROP_LAST, 4).resumePosition(1));
  }
}
