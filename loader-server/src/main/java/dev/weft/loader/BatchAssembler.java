package dev.weft.loader;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Turns the global row ids of a batch (in shuffled order) into one Arrow record batch with a
 * projection of the dataset's columns, rows in exactly the requested order (repeats allowed).
 *
 * <pre>{@code
 * BatchAssembler asm = new BatchAssembler(dataset, List.of("label", "features"));
 * try (VectorSchemaRoot batch = asm.assemble(plan.rowIdsOfBatch(order, j))) { ... }
 * }</pre>
 *
 * <p>How: a dataset of one file is read with one {@link dev.weft.reader.WeftReader#take} of the
 * ids as given: the reader itself visits fixed-width columns in ascending row order and writes
 * each value to its output slot, and the dataset's readers share one block cache
 * ({@link WeftDataset#BLOCK_CACHE_BYTES}), so sorting here and gathering after would only copy
 * again. With several files the ids are sorted and de-duplicated, split by file, each file is
 * read with one take of its ids in ascending order, and the rows are put into the requested
 * order by {@link RowGather}, which copies Arrow buffers itself for every type Weft stores (Arrow
 * Java's {@code copyFromSafe} and {@code TransferPair.copyValueSafe} are broken for several
 * nested types in Arrow 19, and {@code VectorAppender} can only concatenate, not interleave);
 * the gather costs ~25-35 us for 256 rows of 10 numeric columns (see {@code AssemblyBenchmark},
 * {@code RecsysTakeBenchmark} and the module README).
 *
 * <p>Batches are allocated from the dataset's allocator and belong to the caller. An assembler
 * holds no mutable state: one instance may serve many threads.
 */
public final class BatchAssembler {
  private final WeftDataset dataset;
  private final List<String> projection;
  private final Schema schema;
  /** Gathers from the dataset's decoded columns, or null (then: the reader's take). */
  private final DirectBatchWriter direct;

  /**
   * @param dataset the dataset to read (not closed by the assembler)
   * @param projection column names in output order (null: all columns)
   * @throws IllegalArgumentException if a projected column does not exist
   */
  public BatchAssembler(WeftDataset dataset, List<String> projection) throws IOException {
    this(dataset, projection, true);
  }

  /**
   * As {@link #BatchAssembler(WeftDataset, List)}; with {@code useDecodedColumns} false, batches
   * are always read with the reader's take, never gathered from
   * {@link WeftDataset#decodedColumns()} (for comparisons).
   */
  public BatchAssembler(WeftDataset dataset, List<String> projection, boolean useDecodedColumns) throws IOException {
    this.dataset = Objects.requireNonNull(dataset, "dataset");
    this.projection = projection == null ? null : List.copyOf(projection);
    this.schema = dataset.reader(0).schema(this.projection);
    this.direct = useDecodedColumns ? DirectBatchWriter.create(dataset, dataset.decodedColumns(), schema) : null;
  }

  /**
   * Whether batches are gathered from the dataset's decoded columns (every projected column is
   * fixed-width and they fit its budget) rather than read with the reader's take.
   */
  public boolean gathersDecoded() {
    return direct != null;
  }

  /** The writer of batches straight into memory, or null (see {@link #gathersDecoded()}). */
  DirectBatchWriter direct() {
    return direct;
  }

  /** The dataset batches are read from. */
  public WeftDataset dataset() {
    return dataset;
  }

  /** The projected column names, or null for all columns. */
  public List<String> projection() {
    return projection;
  }

  /** The schema of the batches. */
  public Schema schema() {
    return schema;
  }

  /**
   * Reads the rows with the given global ids, in the order given (repeats allowed), as one batch
   * owned by the caller.
   *
   * @throws IndexOutOfBoundsException if an id is not in {@code [0, numRows)} of the dataset
   */
  public VectorSchemaRoot assemble(long[] globalRowIds) throws IOException {
    int n = globalRowIds.length;
    long numRows = dataset.numRows();
    for (long id : globalRowIds) {
      if (id < 0 || id >= numRows) {
        throw new IndexOutOfBoundsException("global row id " + id + " is out of range [0, " + numRows
            + ") of " + dataset);
      }
    }
    if (direct != null && n > 0) {
      return direct.assemble(globalRowIds, dataset.allocator());
    }
    long[] unique = globalRowIds.clone();
    Arrays.sort(unique);
    int u = 0;
    for (int i = 0; i < n; i++) {
      if (i == 0 || unique[i] != unique[u - 1]) {
        unique[u++] = unique[i];
      }
    }
    if (n == 0) {
      return dataset.reader(0).take(new long[0], projection);
    }
    if (dataset.numFiles() == 1) {
      // one file: the reader's take visits fixed-width columns in ascending row order itself and
      // writes each value to its slot, so a sorted take and a gather would only copy again
      return dataset.reader(0).take(globalRowIds, projection);
    }
    // split the sorted unique ids into runs of one file each
    List<Integer> groupStarts = new ArrayList<>();
    List<Integer> groupFiles = new ArrayList<>();
    int f = -1;
    long fileEnd = Long.MIN_VALUE;
    for (int i = 0; i < u; i++) {
      if (unique[i] >= fileEnd) {
        f = dataset.fileOf(unique[i]);
        fileEnd = dataset.firstRow(f) + dataset.fileRows(f);
        groupStarts.add(i);
        groupFiles.add(f);
      }
    }
    groupStarts.add(u);
    int groups = groupFiles.size();
    boolean asGiven = groups == 1 && u == n && Arrays.equals(unique, 0, u, globalRowIds, 0, n);
    List<VectorSchemaRoot> parts = new ArrayList<>(groups);
    try {
      for (int g = 0; g < groups; g++) {
        int file = groupFiles.get(g);
        int from = groupStarts.get(g);
        int to = groupStarts.get(g + 1);
        long base = dataset.firstRow(file);
        long[] local = new long[to - from];
        for (int i = from; i < to; i++) {
          local[i - from] = unique[i] - base;
        }
        parts.add(dataset.reader(file).take(local, projection));
      }
      if (asGiven) {
        return parts.remove(0);
      }
      int[] src = new int[n];
      int[] rows = new int[n];
      for (int i = 0; i < n; i++) {
        int k = Arrays.binarySearch(unique, 0, u, globalRowIds[i]);
        int g = group(groupStarts, k);
        src[i] = g;
        rows[i] = k - groupStarts.get(g);
      }
      return RowGather.gather(parts, src, rows, dataset.allocator());
    } finally {
      for (VectorSchemaRoot p : parts) {
        p.close();
      }
    }
  }

  /** The group holding sorted index {@code k}: the last group start {@code <= k}. */
  private static int group(List<Integer> starts, int k) {
    int lo = 0;
    int hi = starts.size() - 2;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (starts.get(mid) <= k) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /**
   * Reads batch {@code j} of a rank's plan in an epoch order, with its tag.
   *
   * @throws FingerprintMismatchException if the order was made for a different dataset
   * @throws IllegalArgumentException if the order or plan is not over this dataset's row count
   */
  public Batch assemble(EpochOrder order, ShardPlan plan, long j) throws IOException {
    dataset.requireFingerprint(order.fingerprint(), "the epoch order (" + order + ")");
    if (order.size() != dataset.numRows()) {
      throw new IllegalArgumentException("the epoch order has " + order.size() + " rows, the dataset "
          + dataset.numRows());
    }
    BatchTag tag = plan.tag(order, j);
    return new Batch(tag, assemble(plan.rowIdsOfBatch(order, j)));
  }

  /**
   * One assembled batch and its tag; closing it closes the root.
   *
   * @param tag identifies the batch for checkpointing
   * @param root the rows, owned by whoever holds this batch
   */
  public record Batch(BatchTag tag, VectorSchemaRoot root) implements AutoCloseable {
    @Override
    public void close() {
      root.close();
    }
  }
}
