package dev.weft.cli.convert;

import dev.weft.cli.convert.Sources.Input;
import dev.weft.cli.parquet.BatchReader;
import dev.weft.cli.parquet.DictionaryIds;
import dev.weft.cli.parquet.IdArrays;
import dev.weft.cli.parquet.ParquetFile;
import dev.weft.cli.parquet.ParquetFormatException;
import dev.weft.cli.parquet.Sizes;
import dev.weft.format.Codec;
import dev.weft.writer.ValueIds;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * {@code weft convert}: Parquet files to Weft files.
 *
 * <p>Outputs: a DEST ending in {@code .weft} (and not an existing directory), or an existing
 * file, receives all inputs
 * in one file (their schemas must match); otherwise DEST is a directory (created if missing)
 * that receives one output per input, at the input's path relative to its source with the
 * extension {@code .weft}, or, with a target file size, all inputs in {@code part-00000.weft},
 * {@code part-00001.weft}, ... of about that size each.
 *
 * <p>Threads: up to {@code threads} outputs are written at once; an output with two or more
 * threads reads (and decodes) Parquet on one thread while it writes Weft on another, encodes
 * the columns of each batch on all its threads at once (the bytes written do not depend on the
 * thread count), and uses the threads beyond two to decode columns in parallel. The memory budget is shared evenly by
 * the outputs written at once; see {@link #plan}.
 */
public final class Converter {
  /** Everything {@code weft convert} was asked to do. */
  public record Options(List<String> sources, Path dest, boolean overwrite, long memoryBudget, Codec codec,
      int threads, List<String> columns, boolean keepGoing, boolean quiet, Long targetFileSize,
      boolean progressBar, boolean debug, java.util.Map<String, Double> bloomFilters, boolean favorSize) {
    /** Options that favour speed (the default encodings). */
    public Options(List<String> sources, Path dest, boolean overwrite, long memoryBudget, Codec codec, int threads,
        List<String> columns, boolean keepGoing, boolean quiet, Long targetFileSize, boolean progressBar,
        boolean debug, java.util.Map<String, Double> bloomFilters) {
      this(sources, dest, overwrite, memoryBudget, codec, threads, columns, keepGoing, quiet, targetFileSize,
          progressBar, debug, bloomFilters, false);
    }

    /** Options without bloom filters. */
    public Options(List<String> sources, Path dest, boolean overwrite, long memoryBudget, Codec codec, int threads,
        List<String> columns, boolean keepGoing, boolean quiet, Long targetFileSize, boolean progressBar,
        boolean debug) {
      this(sources, dest, overwrite, memoryBudget, codec, threads, columns, keepGoing, quiet, targetFileSize,
          progressBar, debug, java.util.Map.of());
    }
  }

  /** An input that could not be converted. */
  public record Failure(Path input, Throwable error) {}

  /** A finished output file. */
  public record Output(Path path, long rows, long bytes) {}

  /** What a conversion did. */
  public static final class Result {
    public final List<Output> outputs = Collections.synchronizedList(new ArrayList<>());
    public final List<Failure> failures = Collections.synchronizedList(new ArrayList<>());
    public int inputs;
    /** Inputs whose rows are in finished outputs. */
    public int convertedInputs;
    /** Whether a failure stopped the conversion (no --keep-going). */
    public volatile boolean stopped;
    public long rows;
    public long inputBytes;
    public long outputBytes;
    public double seconds;
    /** Peak of all Arrow (off-heap) memory: batches and writer buffers. */
    public long arrowPeak;
    /** The budget each concurrently written output got. */
    public long budgetPerOutput;

    public boolean ok() {
      return failures.isEmpty();
    }
  }

  static final int MAX_BATCH_ROWS = 128 * 1024;
  /**
   * The first batch's rows at most; each next batch doubles up to the budget's size. While the
   * reader decodes the first batch the writer's threads wait, so a small one starts them sooner
   * (flights-3m, 128k-row batches: 0.94x the in-command time with 16k rows first, paired medians
   * of 15 rounds). Batch boundaries do not change the bytes written.
   */
  static final int FIRST_BATCH_ROWS = 16 * 1024;
  static final long MIN_BUDGET = 8L << 20;
  private static final Pattern PART = Pattern.compile("part-(\\d{5,})\\.weft");

  private final Options o;
  private final PrintStream progressStream;
  private final AtomicBoolean cancel = new AtomicBoolean();
  /** Dictionary id arrays, given back by the writers once a batch is written (shared by all jobs). */
  private final IdArrays idArrays = new IdArrays();
  private Partitions partitions;

  /** @param progressStream where the progress bar goes (a terminal's stderr) */
  public Converter(Options options, PrintStream progressStream) {
    this.o = options;
    this.progressStream = progressStream;
  }

  // ---------------------------------------------------------------------------------------
  // planning

  private enum Mode { SINGLE, PER_FILE, SPLIT }

  /** One opened input: its Parquet file, the columns read from it and the schema written. */
  private record Source(Input input, ParquetFile file, List<String> fileColumns, List<Field> partitionFields,
      Schema schema) {}

  /** One output file (or a rolling series of them) and its inputs. */
  private static final class Job {
    final Path output;
    final List<Source> sources = new ArrayList<>();
    Schema schema;

    Job(Path output) {
      this.output = output;
    }
  }

  public Result run() throws IOException {
    long t0 = System.nanoTime();
    if (o.threads() < 1) {
      throw new IllegalArgumentException("--threads must be at least 1");
    }
    if (o.memoryBudget() < MIN_BUDGET) {
      throw new IllegalArgumentException("--memory-budget must be at least " + Sizes.human(MIN_BUDGET));
    }
    if (o.targetFileSize() != null && o.targetFileSize() <= 0) {
      throw new IllegalArgumentException("--target-file-size must be positive");
    }
    List<Input> inputs = Sources.resolve(o.sources());
    partitions = Partitions.infer(inputs);
    Mode mode = mode();
    Result result = new Result();
    result.inputs = inputs.size();

    // open every input (footers only) before writing anything
    List<Source> sources = new ArrayList<>();
    for (Input in : inputs) {
      try {
        sources.add(open(in, partitions));
      } catch (IOException | RuntimeException e) {
        if (!fail(result, in.path(), e)) {
          closeAll(sources);
          return finish(result, t0);
        }
      }
    }
    List<Job> jobs;
    try {
      jobs = jobs(mode, sources, result);
    } catch (IOException | RuntimeException e) {
      closeAll(sources);
      throw e;
    }
    if (jobs == null) {
      closeAll(sources);
      return finish(result, t0);
    }
    try {
      checkOutputs(mode, jobs);
    } catch (IOException | RuntimeException e) {
      closeAll(sources);
      throw e;
    }

    long totalRows = 0;
    long totalBytes = 0;
    for (Job j : jobs) {
      for (Source s : j.sources) {
        totalRows += s.file().numRows();
        totalBytes += s.file().compressedBytes(s.fileColumns());
      }
    }
    int parallel = Math.max(1, Math.min(o.threads(), jobs.size()));
    int threadsPerJob = Math.max(1, o.threads() / parallel);
    long budgetPerJob = o.memoryBudget() / parallel;
    result.budgetPerOutput = budgetPerJob;
    OpenWriters writers = new OpenWriters();
    Progress progress = o.progressBar() && !o.quiet() ? Progress.bar(progressStream) : Progress.none();
    progress.start(totalRows, totalBytes);
    ExecutorService pool = Executors.newFixedThreadPool(parallel, daemon("weft-convert"));
    RootAllocator root = new RootAllocator(o.memoryBudget());
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (Job job : jobs) {
        futures.add(pool.submit(() -> {
          if (cancel.get()) {
            return;
          }
          runJob(job, mode, budgetPerJob, threadsPerJob, root, writers, progress, result);
        }));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          cancel.set(true);
          throw new InterruptedIOException("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
          // runJob records its own failures; anything else is a bug worth reporting as a failure
          fail(result, null, e.getCause());
        }
      }
      result.arrowPeak = root.getPeakMemoryAllocation();
    } finally {
      pool.shutdownNow();
      progress.close();
      writers.close();
      closeAll(sources);
      try {
        root.close();
      } catch (IllegalStateException leak) {
        // buffers still held by a reader thread that was interrupted after a failure (already
        // reported); the process is about to end
      }
    }
    if (mode == Mode.SPLIT && result.ok() && o.overwrite()) {
      removeStaleParts(o.dest(), result.outputs.size());
    }
    return finish(result, t0);
  }

  private Mode mode() {
    Path d = o.dest();
    boolean dir = Files.isDirectory(d) || d.toString().endsWith("/")
        || (!Files.isRegularFile(d) && !d.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".weft"));
    if (!dir) {
      if (o.targetFileSize() != null) {
        throw new IllegalArgumentException("--target-file-size splits the output into several files: give a"
            + " directory as -o, not " + d);
      }
      return Mode.SINGLE;
    }
    return o.targetFileSize() != null ? Mode.SPLIT : Mode.PER_FILE;
  }

  private Source open(Input in, Partitions partitions) throws IOException {
    ParquetFile pf = ParquetFile.open(in.path());
    try {
      List<String> names = pf.columnNames();
      partitions.check(in, names);
      List<Field> partFields = partitions.fields(in);
      List<String> fileColumns = null;
      List<Field> keptParts = partFields;
      if (o.columns() != null) {
        fileColumns = new ArrayList<>();
        keptParts = new ArrayList<>();
        Map<String, Field> partByName = new LinkedHashMap<>();
        for (Field f : partFields) {
          partByName.put(f.getName(), f);
        }
        for (String raw : o.columns()) {
          String c = dev.weft.cli.ColumnNames.resolve(raw, n -> partByName.containsKey(n) || names.contains(n));
          if (partByName.containsKey(c)) {
            keptParts.add(partByName.get(c));
          } else if (names.contains(c)) {
            fileColumns.add(c);
          } else {
            String variant = dev.weft.cli.ColumnNames.caseVariant(c, names);
            throw new IllegalArgumentException(in.path() + ": no column named '" + c + "' ("
                + (variant != null ? "did you mean '" + variant + "'? " : "")
                + dev.weft.cli.ColumnNames.list(names) + (partFields.isEmpty() ? "" : "; partition keys: "
                + String.join(", ", partByName.keySet())) + ")");
          }
        }
      }
      Schema fileSchema = pf.schema(fileColumns);
      List<Field> fields = new ArrayList<>(fileSchema.getFields());
      fields.addAll(keptParts);
      return new Source(in, pf, fileColumns, keptParts, new Schema(fields, fileSchema.getCustomMetadata()));
    } catch (RuntimeException e) {
      pf.close();
      throw e;
    }
  }

  private List<Job> jobs(Mode mode, List<Source> sources, Result result) throws IOException {
    List<Job> jobs = new ArrayList<>();
    if (sources.isEmpty()) {
      return result.failures.isEmpty() ? jobs : null;
    }
    if (mode == Mode.PER_FILE) {
      Map<Path, Source> byOutput = new HashMap<>();
      for (Source s : sources) {
        Path rel = s.input().relative();
        String name = rel.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        Path output = o.dest().resolve(rel).resolveSibling(base + ".weft").normalize();
        Source prev = byOutput.put(output, s);
        if (prev != null) {
          throw new IllegalArgumentException("both " + prev.input().path() + " and " + s.input().path()
              + " would be converted to " + output + "; convert them separately or into one file");
        }
        Job j = new Job(output);
        j.sources.add(s);
        j.schema = s.schema();
        jobs.add(j);
      }
      return jobs;
    }
    Job j = new Job(mode == Mode.SINGLE ? o.dest() : o.dest().resolve("part-00000.weft"));
    for (Source s : sources) {
      if (j.schema == null) {
        j.schema = s.schema();
        j.sources.add(s);
        continue;
      }
      String diff = SchemaDiff.describe(j.schema, s.schema());
      if (diff == null) {
        j.sources.add(s);
      } else {
        IllegalArgumentException e = new IllegalArgumentException(s.input().path() + ": its schema differs from that"
            + " of " + j.sources.get(0).input().path() + " (" + diff + "), so they cannot go into one file;"
            + " convert into a directory (one output per input) instead");
        if (!fail(result, s.input().path(), e)) {
          return null;
        }
      }
    }
    jobs.add(j);
    return jobs;
  }

  private void checkOutputs(Mode mode, List<Job> jobs) throws IOException {
    for (Job j : jobs) {
      if (!o.overwrite() && Files.exists(j.output)) {
        throw new FileAlreadyExistsException(j.output.toString());
      }
      if (Files.isDirectory(j.output)) {
        throw new FileAlreadyExistsException(j.output.toString(), null, "a directory is in the way");
      }
    }
    if (mode == Mode.SPLIT && !o.overwrite() && Files.isDirectory(o.dest())) {
      try (var s = Files.list(o.dest())) {
        for (Path p : (Iterable<Path>) s::iterator) {
          if (PART.matcher(p.getFileName().toString()).matches()) {
            throw new FileAlreadyExistsException(p.toString());
          }
        }
      }
    }
    for (Job j : jobs) {
      Path parent = j.output.toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        Files.createDirectories(parent);
      }
    }
  }

  private static void removeStaleParts(Path dir, int keep) {
    try (var s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        var m = PART.matcher(p.getFileName().toString());
        if (m.matches() && Integer.parseInt(m.group(1)) >= keep) {
          Files.deleteIfExists(p); // a part of an earlier, larger conversion into this directory
        }
      }
    } catch (IOException | NumberFormatException ignored) {
      // best effort
    }
  }

  /** Records a failure; returns whether to go on (--keep-going). */
  private boolean fail(Result result, Path input, Throwable e) {
    if (e instanceof Cancelled) {
      return false;
    }
    result.failures.add(new Failure(input, e));
    if (!o.keepGoing()) {
      cancel.set(true);
      result.stopped = true;
    }
    return o.keepGoing();
  }

  private static void closeAll(List<Source> sources) {
    for (Source s : sources) {
      s.file().close();
    }
  }

  private Result finish(Result r, long t0) {
    r.seconds = (System.nanoTime() - t0) / 1e9;
    long bytes = 0;
    synchronized (r.outputs) {
      for (Output out : r.outputs) {
        bytes += out.bytes();
      }
    }
    r.outputBytes = bytes;
    return r;
  }

  // ---------------------------------------------------------------------------------------
  // memory

  /**
   * How one output's share of the memory budget is spent. Arrow memory (batches, writer
   * buffers) is off-heap and hard-limited by allocators; the Parquet reader's compressed row
   * group and decompressed pages are on the heap and accounted here.
   *
   * @param writer the Weft writer's budget
   * @param maxPage the largest decompressed Parquet page accepted
   * @param rowGroupHeap the largest compressed row group (selected columns) accepted
   * @param batchBytes the target size of one Arrow batch
   * @param readerArrow the hard limit of the reader's Arrow allocator
   */
  record Plan(long writer, long maxPage, long rowGroupHeap, long batchBytes, long readerArrow) {}

  static Plan plan(long budget, long columnNodes, boolean pipelined) {
    long writerMin = columnNodes * 2048 + (512L << 10) + (1L << 20);
    long writer = Math.max(writerMin, (long) (budget * 0.4));
    if (writer > budget * 0.7) {
      long need = (long) Math.ceil(writerMin / 0.4);
      throw new IllegalArgumentException("--memory-budget of " + Sizes.human(budget) + " (per output) is too small for "
          + columnNodes + " column nodes: use at least " + Sizes.human(need) + " per output");
    }
    long rest = budget - writer;
    long maxPage = Math.max(1L << 20, Math.min(Integer.MAX_VALUE - 64, rest / 4)); // a Java array at most
    long rowGroupHeap = rest / 3;
    int inflight = pipelined ? 3 : 1;
    long batchBytes = Math.max(64L << 10, (rest - rest / 3 - rest / 8) / inflight / 2);
    return new Plan(writer, maxPage, rowGroupHeap, batchBytes, rest);
  }

  static long countNodes(List<Field> fields) {
    long n = 0;
    for (Field f : fields) {
      n += 1 + countNodes(f.getChildren());
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------
  // running one output

  private static final class Cancelled extends RuntimeException {
    Cancelled() {
      super("cancelled", null, false, false);
    }
  }

  /** A batch for the writer (with its columns' value ids, or null), or the end (root null) or a failure. */
  private record Item(VectorSchemaRoot root, ValueIds[] ids, Source source, Throwable error) {}

  private void runJob(Job job, Mode mode, long budget, int threads, BufferAllocator root, OpenWriters writers,
      Progress progress, Result result) {
    boolean pipelined = threads >= 2;
    Plan plan;
    try {
      plan = plan(budget, countNodes(job.schema.getFields()), pipelined);
    } catch (IllegalArgumentException e) {
      for (Source s : job.sources) {
        fail(result, s.input().path(), e);
      }
      return;
    }
    ExecutorService decodePool = threads >= 3 ? Executors.newFixedThreadPool(threads - 1, daemon("weft-decode")) : null;
    BufferAllocator readerAlloc = root.newChildAllocator("parquet-reader", 0, plan.readerArrow());
    Roller roller = new Roller(job, mode, plan, threads, root, writers, result);
    Source current = null;
    try {
      if (!pipelined) {
        for (Source s : job.sources) {
          current = s;
          readSource(s, plan, readerAlloc, decodePool, progress, (batch, ids) -> roller.write(batch, ids, s));
        }
      } else {
        BlockingQueue<Item> queue = new ArrayBlockingQueue<>(1);
        AtomicBoolean stop = new AtomicBoolean();
        Thread reader = new Thread(() -> {
          try {
            for (Source s : job.sources) {
              readSource(s, plan, readerAlloc, decodePool, progress, (batch, ids) -> {
                if (stop.get()) {
                  batch.close();
                  throw new Cancelled();
                }
                putOrClose(queue, new Item(batch, ids, s, null), stop);
              });
            }
            putOrClose(queue, new Item(null, null, null, null), stop);
          } catch (Throwable e) {
            Source failed = currentSource(e);
            putOrClose(queue, new Item(null, null, failed, e), stop);
          }
        }, "weft-convert-reader");
        reader.setDaemon(true);
        reader.start();
        try {
          while (true) {
            Item it = Handoff.take(queue, reader);
            if (it.error() != null) {
              current = it.source();
              throw it.error();
            }
            if (it.root() == null) {
              break;
            }
            current = it.source();
            roller.write(it.root(), it.ids(), it.source());
          }
        } finally {
          stop.set(true);
          Item left;
          while ((left = queue.poll()) != null) {
            if (left.root() != null) {
              left.root().close();
            }
          }
          reader.interrupt();
          reader.join(10_000);
          while ((left = queue.poll()) != null) {
            if (left.root() != null) {
              left.root().close();
            }
          }
        }
      }
      roller.finish();
    } catch (Throwable e) {
      roller.abort();
      Throwable cause = e instanceof SourceFailure sf ? sf.getCause() : e;
      Path where = e instanceof SourceFailure sf ? sf.source.input().path()
          : current != null ? current.input().path() : job.output;
      if (!(cause instanceof Cancelled)) {
        if (mode == Mode.PER_FILE || job.sources.size() == 1) {
          fail(result, where, cause);
        } else {
          // one file's rows are already in the combined output: the whole output fails
          fail(result, where, new IOException(describe(cause) + "; nothing was written to " + job.output, cause));
        }
      }
    } finally {
      if (decodePool != null) {
        decodePool.shutdownNow();
      }
      try {
        readerAlloc.close();
      } catch (RuntimeException leak) {
        // a batch still held by an interrupted reader; the root allocator reports it if it matters
      }
    }
  }

  private static Source currentSource(Throwable e) {
    return e instanceof SourceFailure sf ? sf.source : null;
  }

  private static void putOrClose(BlockingQueue<Item> q, Item it, AtomicBoolean stop) {
    try {
      while (!stop.get()) {
        if (q.offer(it, 100, TimeUnit.MILLISECONDS)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (it.root() != null) {
      it.root().close();
    }
  }

  /** A failure while reading one source of a job. */
  private static final class SourceFailure extends IOException {
    final Source source;

    SourceFailure(Source source, Throwable cause) {
      super(cause.getMessage(), cause);
      this.source = source;
    }
  }

  interface BatchSink {
    /** Takes {@code batch} (and its columns' value ids, entries null where a column has none). */
    void accept(VectorSchemaRoot batch, ValueIds[] ids) throws IOException;
  }

  /**
   * Reads one source as batches of about {@code plan.batchBytes()} (the row count adapts to the
   * measured size of the previous batch), with the partition columns added, and hands each to
   * {@code sink}, which owns it from then on.
   */
  private void readSource(Source s, Plan plan, BufferAllocator alloc, ExecutorService decodePool, Progress progress,
      BatchSink sink) throws IOException {
    ParquetFile pf = s.file();
    try {
      long rgBytes = pf.maxRowGroupCompressedBytes(s.fileColumns());
      if (rgBytes > plan.rowGroupHeap()) {
        throw new ParquetFormatException.TooLarge(pf.path(), "a row group holds " + Sizes.human(rgBytes)
            + " of compressed data for the selected columns, more than fits the memory budget ("
            + Sizes.human(plan.rowGroupHeap()) + " for it); raise --memory-budget to at least "
            + Sizes.human((long) Math.ceil(rgBytes * 3 / 0.6)) + " per output written at once, or select fewer"
            + " --columns");
      }
      // dictionary ids spare the writer lookups of values it has seen (its bytes are the same)
      BatchReader.Options ro = BatchReader.Options.defaults().withMaxPageBytes(plan.maxPage()).withPool(decodePool)
          .withDictionaryIds(idArrays).withDeferredValues(true) // strings by id: see ValueIds
          .withRecycledBuffers(true); // the writer closes each batch within write and transfers nothing
      double estimate = Math.max(8, pf.uncompressedBytesPerRow(s.fileColumns()) * 1.5 + 8.0 * pf.leafCount(s.fileColumns()));
      int target = clampRows(plan.batchBytes() / estimate);
      int rows = Math.min(target, FIRST_BATCH_ROWS);
      long lastBytes = 0;
      try (BatchReader r = pf.batches(s.fileColumns(), ro)) {
        Schema schema = s.schema();
        while (true) {
          if (cancel.get()) {
            throw new Cancelled();
          }
          VectorSchemaRoot b = r.next(rows, alloc);
          if (b == null) {
            break;
          }
          int n = b.getRowCount();
          long size = 0;
          for (FieldVector v : b.getFieldVectors()) {
            size += v.getBufferSize();
          }
          VectorSchemaRoot batch;
          if (s.partitionFields().isEmpty()) {
            batch = new VectorSchemaRoot(schema, new ArrayList<>(b.getFieldVectors()), n);
          } else {
            List<FieldVector> vs = new ArrayList<>(b.getFieldVectors());
            try {
              vs.addAll(partitions.vectors(s.input(), s.partitionFields(), n, alloc));
            } catch (RuntimeException e) {
              b.close();
              throw e;
            }
            batch = new VectorSchemaRoot(schema, vs, n);
          }
          long read = r.bytesRead();
          progress.bytes.addAndGet(read - lastBytes);
          lastBytes = read;
          sink.accept(batch, valueIds(r.dictionaryIds()));
          progress.rows.addAndGet(n);
          if (n == rows && size > 0) {
            double perRow = (double) size / n;
            target = clampRows(plan.batchBytes() / perRow);
          }
          rows = nextBatchRows(rows, target);
        }
        progress.bytes.addAndGet(r.bytesRead() - lastBytes);
      }
    } catch (Cancelled e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new SourceFailure(s, e);
    } catch (OutOfMemoryError e) {
      throw new SourceFailure(s, new ParquetFormatException.TooLarge(pf.path(),
          "out of memory (" + e.getMessage() + "); lower --memory-budget so that it fits the JVM heap, or raise -Xmx"));
    }
  }

  private static ValueIds[] valueIds(DictionaryIds[] d) {
    ValueIds[] out = new ValueIds[d.length];
    for (int i = 0; i < d.length; i++) {
      if (d[i] != null) {
        out[i] = new ValueIds(d[i].scope(), d[i].size(), d[i].ids(), d[i].valueBytes(), d[i].valueStarts());
      }
    }
    return out;
  }

  /** The rows of the batch after one of {@code rows}: twice as many, up to {@code target}. */
  static int nextBatchRows(int rows, int target) {
    return (int) Math.min(target, 2L * rows);
  }

  static int clampRows(double rows) {
    if (!(rows >= 1)) {
      return 1;
    }
    return (int) Math.min(MAX_BATCH_ROWS, rows);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  static String describe(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.replace('\n', ' ');
  }

  // ---------------------------------------------------------------------------------------
  // writing: one output, or a series of parts of about the target size

  private final class Roller {
    private final Job job;
    private final Mode mode;
    private final Plan plan;
    private final int threads;
    private final BufferAllocator root;
    private final OpenWriters writers;
    private final Result result;
    private WeftWriter writer;
    private Path path;
    private int part;
    private long arrowBytes;
    private double ratio;

    Roller(Job job, Mode mode, Plan plan, int threads, BufferAllocator root, OpenWriters writers, Result result) {
      this.job = job;
      this.mode = mode;
      this.plan = plan;
      this.threads = threads;
      this.root = root;
      this.writers = writers;
      this.result = result;
      this.ratio = o.codec() == Codec.NONE ? 1.0 : 0.5;
    }

    void write(VectorSchemaRoot batch, ValueIds[] ids, Source s) throws IOException {
      try (batch) {
        if (cancel.get()) {
          throw new Cancelled();
        }
        long size = 0;
        for (FieldVector v : batch.getFieldVectors()) {
          size += v.getBufferSize();
        }
        if (mode == Mode.SPLIT && writer != null && writer.rowsWritten() > 0
            && arrowBytes * ratio >= o.targetFileSize()) {
          closeCurrent();
          part++;
        }
        if (writer == null) {
          openNext();
        }
        writer.write(batch, ids);
        arrowBytes += size;
        if (ids != null) {
          for (ValueIds v : ids) {
            if (v != null) {
              idArrays.give(v.ids()); // the writer reads ids only within write
            }
          }
        }
      }
    }

    private void openNext() throws IOException {
      path = mode == Mode.SPLIT ? o.dest().resolve(String.format(Locale.ROOT, "part-%05d.weft", part)) : job.output;
      if (!o.overwrite() && Files.exists(path)) {
        throw new FileAlreadyExistsException(path.toString());
      }
      WriterOptions.Builder wb = WriterOptions.builder()
          .memoryBudget(plan.writer())
          .compression(o.codec())
          .overwrite(o.overwrite())
          .threads(threads) // the writer's thread and threads - 1 helpers encode columns at once
          .createdBy("weft convert");
      o.bloomFilters().forEach(wb::bloomFilter);
      wb.foldedSpans(o.favorSize()); // --favor size (default): smaller, decoding fast with the Vector API only
      WriterOptions wo = wb.build();
      WeftWriter w = WeftWriter.open(path, job.schema, null, wo, root);
      if (!writers.add(w)) {
        throw new Cancelled();
      }
      writer = w;
      arrowBytes = 0;
    }

    private void closeCurrent() throws IOException {
      WeftWriter w = writer;
      writer = null;
      try {
        w.close();
      } finally {
        writers.remove(w);
      }
      if (writers.shuttingDown()) {
        throw new Cancelled();
      }
      long size = Files.size(path);
      if (arrowBytes > 0) {
        ratio = Math.max(0.01, (double) size / arrowBytes);
      }
      result.outputs.add(new Output(path, w.rowsWritten(), size));
    }

    void finish() throws IOException {
      if (writer == null && part == 0) {
        openNext(); // no rows at all: still an (empty) output with the schema
      }
      if (writer != null) {
        closeCurrent();
      }
      synchronized (result) {
        for (Source s : job.sources) {
          result.inputBytes += s.file().fileSize();
          result.rows += s.file().numRows();
        }
        result.convertedInputs += job.sources.size();
      }
    }

    void abort() {
      WeftWriter w = writer;
      writer = null;
      if (w != null) {
        w.abort();
        writers.remove(w);
      }
      if (mode == Mode.SPLIT) {
        // the parts finished so far belong to an output that failed: remove them
        for (Output out : new ArrayList<>(result.outputs)) {
          if (out.path().getParent() != null && out.path().getParent().equals(o.dest())
              && PART.matcher(out.path().getFileName().toString()).matches()) {
            try {
              Files.deleteIfExists(out.path());
            } catch (IOException ignored) {
              // best effort
            }
            result.outputs.remove(out);
          }
        }
      }
    }
  }

}
