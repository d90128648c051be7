package dev.weft.reader;

import java.nio.ByteBuffer;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Hands a view of the mapped file to Arrow as an {@link ArrowBuf} without copying. The Arrow
 * buffer keeps the mapping reachable, so the memory stays valid as long as Arrow holds the
 * buffer, even after the reader is closed.
 */
final class MappedBuffers {
  private MappedBuffers() {}

  static ArrowBuf wrap(BufferAllocator allocator, ByteBuffer directView) {
    long address = MemoryUtil.getByteBufferAddress(directView) + directView.position();
    return allocator.wrapForeignAllocation(new MappedAllocation(directView, address));
  }

  private static final class MappedAllocation extends ForeignAllocation {
    @SuppressWarnings("unused") // keeps the mapping alive while Arrow uses it
    private ByteBuffer mapping;

    MappedAllocation(ByteBuffer mapping, long address) {
      super(mapping.remaining(), address);
      this.mapping = mapping;
    }

    @Override
    protected void release0() {
      mapping = null;
    }
  }
}
