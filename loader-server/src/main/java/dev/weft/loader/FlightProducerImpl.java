package dev.weft.loader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.PrimitiveIterator;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The Flight calls of {@link FlightLoaderService} (PROTOCOL.md section 12): {@code DoGet} streams
 * a ticket's batches, {@code ListFlights}/{@code GetFlightInfo}/{@code GetSchema} describe the
 * served dataset; everything else is {@code UNIMPLEMENTED}. Each call's errors go to that call
 * only.
 */
final class FlightProducerImpl extends NoOpFlightProducer {
  /**
   * Batches a Flight stream assembles ahead at most, whatever the ticket asks: unlike the shm
   * ring, nothing else bounds the memory a stream's prefetch holds.
   */
  static final int MAX_PREFETCH = 8;
  /** How long one wait for a slow reader lasts before the stream checks for shutdown. */
  private static final long READY_POLL_MS = 1000;

  private final FlightLoaderService service;
  private final WeftDataset dataset;
  private final BufferAllocator allocator;
  private final ExecutorService executor;
  private final Semaphore streams;
  private final int maxStreams;
  private final AtomicInteger running = new AtomicInteger();
  private final LoaderServer.Counters counters = new LoaderServer.Counters();
  private final java.util.concurrent.atomic.LongAdder started = new java.util.concurrent.atomic.LongAdder();

  FlightProducerImpl(FlightLoaderService service, WeftDataset dataset, BufferAllocator allocator,
      ExecutorService executor, int maxStreams) {
    this.service = service;
    this.dataset = dataset;
    this.allocator = allocator;
    this.executor = executor;
    this.maxStreams = maxStreams;
    this.streams = new Semaphore(maxStreams);
  }

  // --- DoGet ---

  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    try {
      if (service.closing()) {
        throw CallStatus.UNAVAILABLE.withDescription("the server is shutting down").toRuntimeException();
      }
      FlightTicket t = parse(ticket.getBytes());
      if (!streams.tryAcquire()) {
        throw CallStatus.RESOURCE_EXHAUSTED.withDescription("the server runs " + maxStreams
            + " streams already (--max-streams); retry later").toRuntimeException();
      }
      running.incrementAndGet();
      started.increment();
      try {
        serve(t, listener);
      } finally {
        running.decrementAndGet();
        streams.release();
      }
    } catch (FlightRuntimeException e) {
      counters.error();
      listener.error(e);
    } catch (RuntimeException | Error e) {
      counters.error();
      listener.error(CallStatus.INTERNAL.withDescription("DoGet failed: " + e).withCause(e).toRuntimeException());
    }
  }

  private static FlightTicket parse(byte[] bytes) {
    try {
      return FlightTicket.parse(bytes);
    } catch (IllegalArgumentException e) {
      throw CallStatus.INVALID_ARGUMENT.withDescription(e.getMessage()).toRuntimeException();
    }
  }

  private StreamPlan plan(FlightTicket t) {
    return StreamPlan.of(dataset, t, (code, message) -> (switch (code) {
      case "NOT_FOUND" -> CallStatus.NOT_FOUND;
      case "INVALID_ARGUMENT" -> CallStatus.INVALID_ARGUMENT;
      default -> CallStatus.INTERNAL;
    }).withDescription(message).toRuntimeException());
  }

  private void serve(FlightTicket t, ServerStreamListener listener) {
    StreamPlan p = plan(t);
    StreamRequest req = t.request();
    // batches in the pipeline: the one being sent plus the prefetch
    int prefetch = 1 + Math.min(MAX_PREFETCH, req.prefetch() < 0 ? LoaderServerOptions.DEFAULT_PREFETCH : req.prefetch());
    PrimitiveIterator.OfLong batches = p.plan().batchesOfWorker(req.worker(), req.numWorkers(), req.fromBatch());
    ReadyWaiter ready = new ReadyWaiter(listener);
    ArrayDeque<Future<BatchAssembler.Batch>> ahead = new ArrayDeque<>();
    java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(p.schema(), allocator)) {
      listener.setUseZeroCopy(true); // each batch is fresh memory, untouched after it is sent
      listener.start(root);
      while (true) {
        while (ahead.size() < prefetch && batches.hasNext()) {
          long j = batches.nextLong();
          ahead.add(submit(() -> {
            if (stopped.get()) {
              return null;
            }
            BatchAssembler.Batch b = p.assembler().assemble(p.order(), p.plan(), j);
            if (stopped.get()) { // the stream ended meanwhile: nobody will take it
              b.close();
              return null;
            }
            return b;
          }));
        }
        Future<BatchAssembler.Batch> next = ahead.poll();
        if (next == null) {
          break;
        }
        long waitStart = System.nanoTime();
        BatchAssembler.Batch b = await(next);
        counters.waited(System.nanoTime() - waitStart);
        long bytes;
        try (b; ArrowRecordBatch arb = new VectorUnloader(b.root()).getRecordBatch()) {
          bytes = arb.computeBodyLength();
          if (bytes > LoaderServerOptions.DEFAULT_INLINE_LIMIT) {
            throw CallStatus.INVALID_ARGUMENT.withDescription("batch " + b.tag().batchIndex() + " is " + bytes
                + " bytes, more than " + LoaderServerOptions.DEFAULT_INLINE_LIMIT + "; use a smaller batch size or"
                + " fewer columns").toRuntimeException();
          }
          new VectorLoader(root).load(arb); // the root now holds its own references
        }
        if (!waitReady(ready, listener)) {
          return; // cancelled by the client, or the server is stopping
        }
        int rows = root.getRowCount();
        byte[] tag = FlightTicket.tagJson(b.tag(), p.plan().resumePosition(b.tag().batchIndex()), rows);
        ArrowBuf meta = allocator.buffer(tag.length);
        meta.setBytes(0, tag);
        meta.writerIndex(tag.length); // Flight sends the readable bytes
        listener.putNext(meta); // takes the metadata buffer
        counters.delivered(rows, bytes, false);
      }
      listener.completed();
    } finally {
      stopped.set(true);
      drain(ahead);
    }
  }

  private Future<BatchAssembler.Batch> submit(java.util.concurrent.Callable<BatchAssembler.Batch> task) {
    try {
      return executor.submit(task);
    } catch (RejectedExecutionException e) {
      throw CallStatus.UNAVAILABLE.withDescription("the server is shutting down").toRuntimeException();
    }
  }

  private static BatchAssembler.Batch await(Future<BatchAssembler.Batch> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CallStatus.CANCELLED.withDescription("interrupted").toRuntimeException();
    } catch (CancellationException e) {
      throw CallStatus.UNAVAILABLE.withDescription("the server is shutting down").toRuntimeException();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw CallStatus.INTERNAL.withDescription("reading a batch failed: " + c).withCause(c).toRuntimeException();
    }
  }

  /** Waits until the client can take more; false if it went away or the server is stopping. */
  private boolean waitReady(ReadyWaiter ready, ServerStreamListener listener) {
    while (true) {
      if (listener.isCancelled()) {
        return false;
      }
      if (service.closing()) {
        throw CallStatus.UNAVAILABLE.withDescription("the server is shutting down").toRuntimeException();
      }
      try {
        if (ready.await(READY_POLL_MS)) {
          return true;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw CallStatus.CANCELLED.withDescription("interrupted").toRuntimeException();
      }
      // not ready within the poll (a slow reader), or cancelled: look again
    }
  }

  /**
   * Closes the batches assembled ahead that will not be sent. Waits for each (at most the
   * prefetch depth, each a few ms): a cancelled task could finish and leak its batch.
   */
  private static void drain(ArrayDeque<Future<BatchAssembler.Batch>> ahead) {
    boolean interrupted = false;
    for (Future<BatchAssembler.Batch> f : ahead) {
      while (true) {
        try {
          BatchAssembler.Batch b = f.get(30, TimeUnit.SECONDS); // bounded: a pool shut down never runs it
          if (b != null) {
            b.close();
          }
          break;
        } catch (InterruptedException e) {
          interrupted = true; // finish draining, then restore the flag
        } catch (ExecutionException | CancellationException | java.util.concurrent.TimeoutException e) {
          break; // nothing was made (or never will be)
        }
      }
    }
    ahead.clear();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  // --- descriptions ---

  @Override
  public void listFlights(CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    try {
      listener.onNext(info(FlightDescriptor.path(FlightLoaderService.DATASET_NAME),
          ("{\"v\":1,\"dataset\":\"" + FlightLoaderService.DATASET_NAME + "\"}").getBytes(StandardCharsets.UTF_8)));
      listener.onCompleted();
    } catch (FlightRuntimeException e) {
      listener.onError(e);
    }
  }

  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    if (descriptor.isCommand()) {
      return info(descriptor, descriptor.getCommand());
    }
    List<String> path = descriptor.getPath();
    if (path.size() != 1 || !path.get(0).equals(FlightLoaderService.DATASET_NAME)) {
      throw CallStatus.NOT_FOUND.withDescription("this server serves one dataset, path [\""
          + FlightLoaderService.DATASET_NAME + "\"]; not " + path).toRuntimeException();
    }
    return info(descriptor, ("{\"v\":1,\"dataset\":\"" + FlightLoaderService.DATASET_NAME + "\"}")
        .getBytes(StandardCharsets.UTF_8));
  }

  private FlightInfo info(FlightDescriptor descriptor, byte[] ticket) {
    StreamPlan p = plan(parse(ticket));
    // a path names the dataset (its rows); a command names one stream (the rows it delivers)
    long rows = descriptor.isCommand() ? p.numBatches() * (long) p.ticket().request().batchSize() : dataset.numRows();
    return new FlightInfo(p.schema(), descriptor, List.of(new FlightEndpoint(new Ticket(ticket))), -1, rows);
  }

  Semaphore streamPermitsForTests() {
    return streams;
  }

  // --- stats ---

  LoaderServer.Stats stats() {
    int n = running.get();
    LoaderServer.Counters c = counters;
    return new LoaderServer.Stats(n, n, 0, 0, 0, 0, started.sum(), c.batches.sum(), c.rows.sum(), c.bytes.sum(),
        0, c.waitNanos.sum(), c.errors.sum());
  }

  /** Waits (bounded) for running streams to finish after the server stopped accepting. */
  void awaitStreams(long millis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (running.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
