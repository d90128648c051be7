package dev.weft.loader;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may use which ring slot. Streams reserve a number of slots when they open (so the sum of
 * reservations never exceeds the ring and a stream below its reservation always finds a free
 * slot: no stream can starve another or deadlock the ring); a stream's slots are taken from and
 * returned to one free list. Slots handed off by one connection wait here for another to adopt
 * them, until a deadline. Thread-safe (one monitor; never calls out while holding it).
 */
final class SlotPool {
  private final int total;
  private final ArrayDeque<Integer> free = new ArrayDeque<>();
  private final long[] generation;
  private final ServerStream[] owner;
  private final Map<Integer, Handoff> handoffs = new HashMap<>();
  /** Whether slot s was adopted since it was last taken from the free list. */
  private final boolean[] adopted;
  private int reserved;

  private record Handoff(long generation, long deadlineNanos) {}

  SlotPool(int total) {
    this.total = total;
    this.generation = new long[total];
    this.owner = new ServerStream[total];
    this.adopted = new boolean[total];
    for (int i = 0; i < total; i++) {
      free.add(i);
    }
  }

  int total() {
    return total;
  }

  synchronized int inUse() {
    return total - free.size();
  }

  synchronized int reserved() {
    return reserved;
  }

  /**
   * Reserves up to {@code want} slots, at least {@code min}.
   *
   * @return the number reserved, or -1 if fewer than {@code min} are unreserved
   */
  synchronized int reserve(int want, int min) {
    int avail = total - reserved;
    if (avail < min) {
      return -1;
    }
    int n = Math.min(want, avail);
    reserved += n;
    return n;
  }

  synchronized void unreserve(int n) {
    reserved -= n;
  }

  synchronized int unreservedSlots() {
    return total - reserved;
  }

  /** Takes a free slot for {@code stream}, which is below its reservation; returns its new odd generation. */
  synchronized long acquire(ServerStream stream, int[] slotOut) {
    Integer s = free.poll();
    if (s == null) {
      throw new IllegalStateException("no free slot although the stream is within its reservation (bug)");
    }
    owner[s] = stream;
    adopted[s] = false;
    slotOut[0] = s;
    return ++generation[s]; // odd: being written; +1 again when complete
  }

  /** Marks slot {@code s} written; returns its even generation. */
  synchronized long complete(int s) {
    return ++generation[s];
  }

  synchronized ServerStream owner(int s) {
    return owner[s];
  }

  /** Returns slot {@code s} to the free list. */
  synchronized void free(int s) {
    owner[s] = null;
    adopted[s] = false;
    free.add(s);
  }

  /** Parks a slot, whose lease its connection gave up, until an adopter claims it or the deadline passes. */
  synchronized void handoff(int s, long gen, long deadlineNanos) {
    handoffs.put(s, new Handoff(gen, deadlineNanos));
    notifyAll(); // an ADOPT may be waiting for it (see adopt)
  }

  /**
   * Claims a handed-off slot; false if none with that generation waits.
   *
   * <p>The HANDOFF and the ADOPT of a slot come over two connections, so the ADOPT can overtake
   * the HANDOFF (the worker's frame is still in its socket buffer when the trainer's arrives).
   * While slot {@code s} still holds generation {@code gen}, is in use and was not adopted yet, the
   * ADOPT therefore waits up to {@code waitNanos} for the HANDOFF; anything else fails at once.
   */
  synchronized boolean adopt(int s, long gen, long waitNanos) throws InterruptedException {
    long deadline = System.nanoTime() + waitNanos;
    while (true) {
      Handoff h = handoffs.get(s);
      if (h != null && h.generation == gen) {
        handoffs.remove(s);
        adopted[s] = true;
        return true;
      }
      boolean mayCome = s >= 0 && s < total && owner[s] != null && !adopted[s] && generation[s] == gen;
      long left = deadline - System.nanoTime();
      if (!mayCome || left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  /**
   * Claims slot {@code s} if it is handed off with generation {@code gen} right now; false
   * otherwise (never waits: the caller then falls back to {@link #adopt}, which waits or fails).
   */
  synchronized boolean tryAdopt(int s, long gen) {
    Handoff h = handoffs.get(s);
    if (h == null || h.generation != gen) {
      return false;
    }
    handoffs.remove(s);
    adopted[s] = true;
    return true;
  }

  synchronized int handedOff() {
    return handoffs.size();
  }

  /** Removes and returns the handed-off slots whose deadline passed (all of them if {@code all}). */
  synchronized List<Integer> expiredHandoffs(long nowNanos, boolean all) {
    List<Integer> out = new ArrayList<>();
    handoffs.entrySet().removeIf(e -> {
      if (all || nowNanos - e.getValue().deadlineNanos >= 0) {
        out.add(e.getKey());
        return true;
      }
      return false;
    });
    return out;
  }
}
