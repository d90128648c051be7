package dev.weft.loader;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * One batch received from a {@link LoaderServer}: an Arrow {@link VectorSchemaRoot} whose buffers
 * are views of the server's shared-memory slot (no copy; or, from {@link WeftFlightClient}, of
 * the received Flight message), and its {@link BatchTag}. Closing the
 * batch closes the root; once every buffer of the slot is released (the root's, and any
 * transferred out of it), the client returns the slot to the server. Do not use the root after
 * closing the batch, and close batches before their client.
 */
public final class WeftBatch implements AutoCloseable {
  private final VectorSchemaRoot root;
  private final BatchTag tag;
  private final int slot;
  private final long generation;
  private final long resumePosition;
  private boolean closed;

  WeftBatch(VectorSchemaRoot root, BatchTag tag, int slot, long generation) {
    this(root, tag, slot, generation, -1);
  }

  WeftBatch(VectorSchemaRoot root, BatchTag tag, int slot, long generation, long resumePosition) {
    this.root = root;
    this.tag = tag;
    this.slot = slot;
    this.generation = generation;
    this.resumePosition = resumePosition;
  }

  /** The rows; valid until {@link #close()}. */
  public VectorSchemaRoot root() {
    return root;
  }

  /** Identifies the batch for checkpointing (resume with {@code tag().batchIndex() + 1}). */
  public BatchTag tag() {
    return tag;
  }

  /**
   * The global position to resume the epoch at once every rank consumed this batch (PROTOCOL.md
   * section 13): a restart with any world size opens its streams with this start position;
   * -1 if unknown.
   */
  public long resumePosition() {
    return resumePosition;
  }

  /** The ring slot the batch lives in, or -1 if it was sent inline (too large for a slot) or over Flight. */
  public int slot() {
    return slot;
  }

  /** The slot's generation when the batch was written (0 for inline batches). */
  public long generation() {
    return generation;
  }

  /** Whether the batch came inline over the socket (a copy) instead of in a slot. */
  public boolean isInline() {
    return slot < 0;
  }

  public int rowCount() {
    return root.getRowCount();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      root.close();
    }
  }

  @Override
  public String toString() {
    return "WeftBatch[" + tag + ", " + root.getRowCount() + " rows, " + (slot < 0 ? "inline" : "slot " + slot) + "]";
  }
}
