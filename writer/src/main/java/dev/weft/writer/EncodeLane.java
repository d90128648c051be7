package dev.weft.writer;

import dev.weft.format.Codec;
import org.apache.arrow.memory.BufferAllocator;

/**
 * What one encoding thread of a writer owns: a {@link BlockSealer}, the scratch buffer a
 * block's raw bytes are assembled in, and a staging arena the sealer stores blocks into.
 *
 * <p>Blocks are staged, not stored in the row group's arena directly, so that the arena receives
 * them in column order whichever thread sealed them ({@link NodeWriter#commit}): the arena's
 * segment use, and so the writer's flush decisions and the file's bytes, do not depend on the
 * number of threads.
 */
final class EncodeLane implements AutoCloseable {
  final BlockSealer sealer;
  final GrowBuf raw;
  final BlockArena staging;

  EncodeLane(BufferAllocator allocator, long segmentSize, int blockBytes, Codec codec, int level, int typicalBlock,
      boolean encodings, boolean foldedSpans) {
    BlockArena st = new BlockArena(allocator, segmentSize);
    GrowBuf r = null;
    try {
      r = new GrowBuf(allocator, blockBytes + 64);
      this.sealer = new BlockSealer(allocator, st, codec, level, typicalBlock, encodings, foldedSpans);
    } catch (RuntimeException e) {
      if (r != null) {
        r.close();
      }
      st.close();
      throw e;
    }
    this.raw = r;
    this.staging = st;
  }

  /** Bytes of scratch held between blocks (the sealer's buffers and the raw block buffer). */
  long scratchBytes() {
    return sealer.scratchBytes() + raw.capacity();
  }

  @Override
  public void close() {
    sealer.close();
    raw.close();
    staging.close();
  }
}
