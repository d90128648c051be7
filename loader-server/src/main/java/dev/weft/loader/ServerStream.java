package dev.weft.loader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;
import java.util.PrimitiveIterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;

/**
 * One open stream of a connection: one worker's batches of one rank and epoch. Batches are
 * assembled ahead in the server's pool and written into ring slots, in batch order, within the
 * stream's slot reservation of {@code maxInFlight + prefetch}; the client may hold at most
 * {@code maxInFlight} of them at once (a NEXT waits otherwise).
 *
 * <p>Counters, all guarded by {@link #lock}: {@code used} = slots (or inline batches) the stream
 * has anywhere: being assembled, queued, or delivered and not yet released; {@code leasedOut} =
 * delivered and not yet released (wherever the lease went: held, handed off, adopted).
 */
final class ServerStream {
  /** One batch on its way: assembled by a pool thread, then delivered by NEXT. */
  static final class Pending {
    final long batchIndex;
    final BatchTag tag;
    boolean done;
    int slot = -1;
    long generation;
    long length;
    int rows;
    byte[] inline;
    Protocol.ErrorCode errorCode;
    String error;

    Pending(long batchIndex, BatchTag tag) {
      this.batchIndex = batchIndex;
      this.tag = tag;
    }
  }

  /** What a NEXT got. */
  sealed interface Outcome permits Delivered, Ended, TimedOut, Failed, Gone {}

  record Delivered(Pending batch) implements Outcome {}

  record Ended(long delivered) implements Outcome {}

  record TimedOut(int held, String reason) implements Outcome {}

  record Failed(Protocol.ErrorCode code, String message) implements Outcome {}

  record Gone() implements Outcome {}

  private final int id;
  private final LoaderServer server;
  private final ServerConnection conn;
  private final EpochOrder order;
  private final ShardPlan plan;
  private final BatchAssembler assembler;
  private final PrimitiveIterator.OfLong batches;
  private final long numBatches;
  private final int maxInFlight;
  private final int reserved;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int used;
  private int leasedOut;
  private long delivered;
  private boolean closed;
  /** Ring slots this stream holds reserved: {@code reserved} while open, then shrinking to {@code used}. */
  private int held;

  ServerStream(int id, LoaderServer server, ServerConnection conn, EpochOrder order, ShardPlan plan,
      BatchAssembler assembler, StreamRequest req, int maxInFlight, int reserved) {
    this.id = id;
    this.server = server;
    this.conn = conn;
    this.order = order;
    this.plan = plan;
    this.assembler = assembler;
    this.batches = plan.batchesOfWorker(req.worker(), req.numWorkers(), req.fromBatch());
    this.numBatches = plan.numBatchesOfWorker(req.worker(), req.numWorkers(), req.fromBatch());
    this.maxInFlight = maxInFlight;
    this.reserved = reserved;
    this.held = reserved;
  }

  int id() {
    return id;
  }

  long numBatches() {
    return numBatches;
  }

  ShardPlan plan() {
    return plan;
  }

  /** Starts assembling ahead. */
  void start() {
    lock.lock();
    try {
      pump();
    } finally {
      lock.unlock();
    }
  }

  /** Submits assembly tasks while the reservation allows (lock held). */
  private void pump() {
    while (!closed && used < reserved && batches.hasNext()) {
      long j = batches.nextLong();
      Pending p = new Pending(j, plan.tag(order, j));
      queue.add(p);
      used++;
      server.executor().execute(() -> fill(p));
    }
  }

  /** Assembles batch {@code p} and writes it into a slot (or inline bytes); runs in the pool. */
  private void fill(Pending p) {
    boolean skip;
    lock.lock();
    try {
      skip = closed;
    } finally {
      lock.unlock();
    }
    if (!skip) {
      try {
        write(p);
      } catch (Throwable t) { // incl. Errors: the batch must complete, or its NEXT would wait forever
        if (p.slot >= 0) {
          server.pool().free(p.slot);
          p.slot = -1;
        }
        p.inline = null;
        p.errorCode = Protocol.ErrorCode.INTERNAL;
        p.error = "reading batch " + p.batchIndex + " failed: " + t;
      }
    }
    lock.lock();
    try {
      p.done = true;
      if (closed) {
        dropLocked(p);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void write(Pending p) throws IOException {
    ShmRing ring = server.ring();
    DirectBatchWriter direct = assembler.direct();
    if (direct != null) {
      long[] ids = plan.rowIdsOfBatch(order, p.batchIndex);
      long length = direct.messageLength(ids.length);
      if (ids.length > 0 && length <= RingLayout.maxMessageLength(ring.slotSize())) {
        // gathered straight into the slot: no vectors, no second copy
        p.rows = ids.length;
        p.length = length;
        int[] slot = new int[1];
        long odd = server.pool().acquire(this, slot);
        int s = slot[0];
        p.slot = s; // freed by fill() if writing fails
        ring.beginWrite(s, odd);
        long address = org.apache.arrow.memory.util.MemoryUtil.getByteBufferAddress(ring.slot(s))
            + RingLayout.SLOT_HEADER_LENGTH;
        long written = direct.write(ids, address, RingLayout.maxMessageLength(ring.slotSize()));
        if (written != length) {
          throw new IllegalStateException("wrote " + written + " bytes for a message of " + length + " (bug)");
        }
        long even = server.pool().complete(s);
        ring.endWrite(s, even, length, p.tag, p.rows, id);
        p.generation = even;
        return;
      }
    }
    try (BatchAssembler.Batch b = assembler.assemble(order, plan, p.batchIndex);
        ArrowRecordBatch arb = new VectorUnloader(b.root()).getRecordBatch()) {
      p.rows = b.root().getRowCount();
      ByteBuffer meta = MessageSerializer.serializeMetadata(arb, IpcOption.DEFAULT);
      long length = RingLayout.pad8(8L + meta.remaining()) + arb.computeBodyLength();
      p.length = length;
      if (length <= RingLayout.maxMessageLength(ring.slotSize())) {
        int[] slot = new int[1];
        long odd = server.pool().acquire(this, slot);
        int s = slot[0];
        p.slot = s; // freed by fill() if writing fails
        ring.beginWrite(s, odd);
        ByteBuffer dst = ring.slot(s).duplicate();
        dst.position(RingLayout.SLOT_HEADER_LENGTH);
        long written = serialize(new SlotChannel(dst), meta, arb);
        if (written != length) {
          throw new IllegalStateException("wrote " + written + " bytes for a message of " + length + " (bug)");
        }
        long even = server.pool().complete(s);
        ring.endWrite(s, even, length, p.tag, p.rows, id);
        p.generation = even;
      } else if (length <= server.options().inlineLimit()) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) length);
        serialize(Channels.newChannel(bytes), meta, arb);
        p.inline = bytes.toByteArray();
      } else {
        p.errorCode = Protocol.ErrorCode.BATCH_TOO_LARGE;
        p.error = "batch " + p.batchIndex + " is " + length + " bytes as an Arrow IPC message, larger than a slot ("
            + RingLayout.maxMessageLength(ring.slotSize()) + " bytes usable of " + ring.slotSize()
            + ") and than the inline limit (" + server.options().inlineLimit() + " bytes); use a smaller batch size,"
            + " fewer columns, or start the server with a larger --slot-size";
      }
    }
  }

  private static long serialize(WritableByteChannel ch, ByteBuffer meta, ArrowRecordBatch arb) throws IOException {
    WriteChannel out = new WriteChannel(ch);
    MessageSerializer.writeMessageBuffer(out, meta.remaining(), meta, IpcOption.DEFAULT);
    MessageSerializer.writeBatchBuffers(out, arb);
    return out.getCurrentPosition();
  }

  /** Writes into a slot's mapped bytes; refuses to run past the slot (also used by ServerAssemblyBenchmark). */
  static final class SlotChannel implements WritableByteChannel {
    private final ByteBuffer dst;

    SlotChannel(ByteBuffer dst) {
      this.dst = dst;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      int n = src.remaining();
      if (n > dst.remaining()) {
        throw new IOException("Arrow IPC message overflows its slot (bug)");
      }
      dst.put(src);
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  /**
   * The next batch if it can be had without waiting (assembled, and the client below its
   * in-flight limit), or the end of the stream; null otherwise.
   */
  Outcome tryNext() throws InterruptedException {
    lock.lock();
    try {
      Pending head = queue.peek();
      boolean ready = head != null && head.done && (leasedOut < maxInFlight || head.errorCode != null);
      boolean ended = head == null && !batches.hasNext();
      if (closed || !(ready || ended)) {
        return null;
      }
    } finally {
      lock.unlock();
    }
    return next(0);
  }

  /**
   * Waits for the next batch, at most {@code timeoutNanos}. On {@link Delivered} with a slot, the
   * slot has been leased to the connection before this returns.
   */
  Outcome next(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    long waitStart = 0;
    lock.lock();
    try {
      while (true) {
        if (closed) {
          return new Gone();
        }
        Pending head = queue.peek();
        if (head == null && !batches.hasNext()) {
          return new Ended(delivered);
        }
        if (head != null && head.done && (leasedOut < maxInFlight || head.errorCode != null)) {
          queue.poll();
          if (waitStart != 0) {
            server.counters().waited(System.nanoTime() - waitStart);
          }
          if (head.errorCode != null) {
            used--;
            return new Failed(head.errorCode, head.error);
          }
          delivered++;
          if (head.slot >= 0) {
            leasedOut++;
            if (!conn.lease(head.slot, head.generation)) {
              // the connection is closing: the slot goes straight back
              leasedOut--;
              used--;
              server.pool().free(head.slot);
              return new Gone();
            }
          } else {
            used--;
            pump();
          }
          return new Delivered(head);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          if (waitStart != 0) {
            server.counters().waited(System.nanoTime() - waitStart);
          }
          String why = leasedOut >= maxInFlight
              ? "the client holds " + leasedOut + " of its " + maxInFlight + " slots of this stream; release a batch"
              : "batch " + (head == null ? "?" : head.batchIndex) + " is not assembled yet";
          return new TimedOut(leasedOut, why);
        }
        if (waitStart == 0) {
          waitStart = System.nanoTime();
        }
        changed.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }

  /** A delivered slot of this stream came back (released, its connection died, or its handoff expired). */
  void returned(int slot) {
    server.pool().free(slot);
    lock.lock();
    try {
      leasedOut--;
      used--;
      pump();
      maybeUnreserveLocked();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Stops the stream: queued batches are dropped; delivered slots stay leased until returned. */
  void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      for (Pending p : queue) {
        if (p.done) {
          dropLocked(p);
        } // else: its fill task drops it when done
      }
      queue.clear();
      maybeUnreserveLocked();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void dropLocked(Pending p) {
    if (p.slot >= 0) {
      server.pool().free(p.slot);
      p.slot = -1;
    }
    used--;
    maybeUnreserveLocked();
  }

  /**
   * A closed stream gives back the reservation of every slot it no longer uses at once, and the
   * rest as its slots come back: slots handed off to a DataLoader's training process (which may
   * wait up to the handoff timeout for an adopter that never comes, e.g. after a {@code break})
   * then block only themselves, not the stream's whole reservation.
   */
  private void maybeUnreserveLocked() {
    if (closed && held > used) {
      server.pool().unreserve(held - used);
      held = used;
    }
  }

  int maxInFlight() {
    return maxInFlight;
  }

  int prefetch() {
    return reserved - maxInFlight;
  }

  @Override
  public String toString() {
    return "stream " + id + " (" + plan + ")";
  }

  static long nanos(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }
}
