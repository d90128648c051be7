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
  private int reserved;

  private record Handoff(long generation, long deadlineNanos) {}

  SlotPool(int total) {
    this.total = total;
    this.generation = new long[total];
    this.owner = new ServerStream[total];
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
    free.add(s);
  }

  /** Parks a slot, whose lease its connection gave up, until an adopter claims it or the deadline passes. */
  synchronized void handoff(int s, long gen, long deadlineNanos) {
    handoffs.put(s, new Handoff(gen, deadlineNanos));
  }

  /** Claims a handed-off slot; false if none with that generation waits. */
  synchronized boolean adopt(int s, long gen) {
    Handoff h = handoffs.get(s);
    if (h == null || h.generation != gen) {
      return false;
    }
    handoffs.remove(s);
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
