package dev.weft.reader;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.BufferLedger;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Takes the buffers out of a root that is about to be loaded again, for the next batch to reuse
 * ({@link WeftScanner#loadNextBatch(VectorSchemaRoot)}). Reuse matters for large batches: glibc
 * serves allocations over 32 MiB with fresh mappings, whose page faults cost as much as decoding
 * a batch of wide values (fashion-mnist: ~50 MB per 65,536 rows).
 */
final class RecycledBuffers {
  private RecycledBuffers() {}

  /**
   * Clears {@code root} and returns, per column, its former buffers in the order
   * {@link OutputNode#finish} hands them over: an entry is a buffer now owned by the caller alone,
   * or null where a buffer cannot be reused (shared with another vector or root, a view of the
   * mapped file, empty, or of another allocator than {@code allocator}). Any buffer works in any
   * slot: {@link OutBuf} takes one only when it is large enough, and zeroes it.
   */
  static List<List<ArrowBuf>> take(VectorSchemaRoot root, BufferAllocator allocator) {
    List<List<ArrowBuf>> out = new ArrayList<>();
    for (FieldVector v : root.getFieldVectors()) {
      List<ArrowBuf> bufs = new ArrayList<>();
      collect(v, allocator, bufs);
      out.add(bufs);
    }
    root.clear(); // the vectors release their references
    for (List<ArrowBuf> bufs : out) {
      for (int i = 0; i < bufs.size(); i++) {
        ArrowBuf b = bufs.get(i);
        if (b != null && b.getReferenceManager().getRefCount() != 1) {
          b.close(); // still used elsewhere (a transfer, a slice kept by the caller): leave it be
          bufs.set(i, null);
        }
      }
    }
    return out;
  }

  /** Releases the buffers {@link #take} returned that were not used. */
  static void release(List<List<ArrowBuf>> buffers) {
    for (List<ArrowBuf> bufs : buffers) {
      for (int i = 0; i < bufs.size(); i++) {
        if (bufs.get(i) != null) {
          bufs.get(i).close();
          bufs.set(i, null);
        }
      }
    }
  }

  private static void collect(FieldVector v, BufferAllocator allocator, List<ArrowBuf> bufs) {
    for (ArrowBuf b : v.getFieldBuffers()) {
      if (reusable(b, allocator)) {
        b.getReferenceManager().retain();
        bufs.add(b);
      } else {
        bufs.add(null);
      }
    }
    for (FieldVector c : v.getChildrenFromFields()) {
      collect(c, allocator, bufs);
    }
  }

  private static boolean reusable(ArrowBuf b, BufferAllocator allocator) {
    // a mapped-file view (MappedBuffers) is a foreign allocation: never write into it
    return b != null && b.capacity() > 0 && b.getReferenceManager() instanceof BufferLedger l
        && l.getAllocator() == allocator
        && !l.getAllocationManager().getClass().getName().endsWith("ForeignAllocationManager");
  }
}
