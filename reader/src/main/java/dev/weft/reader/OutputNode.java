package dev.weft.reader;

import dev.weft.format.Bits;
import dev.weft.format.ColumnNode;
import dev.weft.format.NodeKind;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;

/**
 * The Arrow buffers of one node being assembled for an output batch: validity, offsets and
 * data, in the order Arrow's type layout expects them.
 */
final class OutputNode implements AutoCloseable {
  final ColumnNode node;
  final OutputNode[] children;
  final OutBuf validity;
  final OutBuf offsets;
  final OutBuf data;
  final boolean wideOffsets;
  private final BufferAllocator allocator;
  /** A data buffer provided from outside (a view of the mapped file), replacing {@link #data}. */
  private ArrowBuf externalData;
  long count;
  long nullCount;
  /** Var-width: value bytes so far; list: child elements so far. */
  long dataLength;

  OutputNode(ColumnNode node, OutputNode[] children, BufferAllocator allocator, long expectedCount) {
    this(node, children, allocator, expectedCount, new ArrowBuf[3]);
  }

  /**
   * {@code recycled}: buffers to reuse for validity, offsets and data (entries may be null; each
   * non-null entry passes to this node, see {@link OutBuf#OutBuf(BufferAllocator, long, ArrowBuf)}).
   */
  private OutputNode(ColumnNode node, OutputNode[] children, BufferAllocator allocator, long expectedCount,
      ArrowBuf[] recycled) {
    this.node = node;
    this.children = children;
    this.allocator = allocator;
    NodeKind k = node.kind();
    this.wideOffsets = k == NodeKind.LARGE_LIST || k == NodeKind.LARGE_VARBINARY;
    this.validity = k == NodeKind.NULL ? null : new OutBuf(allocator, (expectedCount + 7) / 8, recycled[0]);
    this.offsets = k.hasOffsets()
        ? new OutBuf(allocator, (expectedCount + 1) * (wideOffsets ? 8 : 4), recycled[1]) : null;
    this.data = switch (k) {
      case FIXED -> new OutBuf(allocator, expectedCount * node.byteWidth(), recycled[2]);
      case BOOL -> new OutBuf(allocator, (expectedCount + 7) / 8, recycled[2]);
      case VARBINARY, LARGE_VARBINARY -> new OutBuf(allocator, expectedCount * 8, recycled[2]);
      default -> null;
    };
  }

  /** Whether a node of this kind has a validity, an offsets and a data buffer (Arrow's buffer order). */
  private static boolean[] bufferSlots(NodeKind k) {
    return new boolean[] {k != NodeKind.NULL, k.hasOffsets(),
        k == NodeKind.FIXED || k == NodeKind.BOOL || k == NodeKind.VARBINARY || k == NodeKind.LARGE_VARBINARY};
  }

  BufferAllocator allocator() {
    return allocator;
  }

  /**
   * Uses {@code buf} (ownership passes to this node) as the data buffer for the first
   * {@code count} elements; a later append first copies it (see {@link #materializeExternal}).
   */
  void useExternalData(ArrowBuf buf) {
    if (externalData != null) {
      externalData.close();
    }
    externalData = buf;
  }

  /**
   * Copies an external data buffer into this node's own buffer, so more elements can follow.
   * A nested node is appended to once per parent block, so only its first range can be a view.
   */
  void materializeExternal() {
    if (externalData == null) {
      return;
    }
    long len = externalData.capacity();
    data.ensure(len).setBytes(0, externalData, 0, len);
    externalData.close();
    externalData = null;
  }

  /** Builds the tree of output nodes for a column. */
  static OutputNode build(List<ColumnNode> nodes, int index, BufferAllocator allocator, long expectedCount) {
    return build(nodes, index, allocator, expectedCount, null);
  }

  /**
   * {@link #build(List, int, BufferAllocator, long)}, reusing buffers from {@code recycled} (may be
   * null): the buffers of an earlier output of the same column in the order {@link #finish} hands
   * them over (pre-order; validity, offsets, data), entries null where none is to be reused. The
   * buffers taken pass to the new nodes; if building fails, those not yet taken stay in the iterator.
   */
  static OutputNode build(List<ColumnNode> nodes, int index, BufferAllocator allocator, long expectedCount,
      java.util.Iterator<ArrowBuf> recycled) {
    ColumnNode node = nodes.get(index);
    ArrowBuf[] own = new ArrowBuf[3];
    if (recycled != null) {
      boolean[] slots = bufferSlots(node.kind());
      for (int i = 0; i < 3; i++) {
        own[i] = slots[i] && recycled.hasNext() ? recycled.next() : null;
      }
    }
    OutputNode[] kids = new OutputNode[node.children().size()];
    long childCount = node.kind() == NodeKind.FIXED_SIZE_LIST ? expectedCount * node.listSize()
        : node.kind() == NodeKind.STRUCT ? expectedCount : 0;
    try {
      for (int i = 0; i < kids.length; i++) {
        kids[i] = build(nodes, node.children().get(i), allocator, childCount, recycled);
      }
    } catch (RuntimeException e) {
      for (OutputNode kid : kids) {
        if (kid != null) {
          kid.close();
        }
      }
      for (ArrowBuf b : own) {
        if (b != null) {
          b.close();
        }
      }
      throw e;
    }
    return new OutputNode(node, kids, allocator, expectedCount, own);
  }

  /** Writes offset entry i (= the current data length) for var-width and list kinds. */
  void putOffset(long i, long value) {
    if (wideOffsets) {
      offsets.ensure((i + 1) * 8).setLong(i * 8, value);
    } else {
      if (value > Integer.MAX_VALUE) {
        throw new IllegalStateException("output of " + node.path() + " exceeds 2 GiB of 32-bit offsets;"
            + " read fewer rows per batch");
      }
      offsets.ensure((i + 1) * 4).setInt(i * 4, (int) value);
    }
  }

  /**
   * Writes output offsets {@code at+1 .. at+n} as block offsets {@code i+1 .. i+n} plus
   * {@code delta} (and offset 0 when {@code at == 0}).
   */
  void putOffsets(long at, dev.weft.format.MiniBlock mb, int i, int n, long delta) {
    long lastValue = delta + mb.offset(i + n);
    if (wideOffsets) {
      ArrowBuf o = offsets.ensure((at + n + 1) * 8);
      if (at == 0) {
        o.setLong(0, 0);
      }
      // capacity ensured above; the block's offsets are read through its (checked) buffer
      java.nio.ByteBuffer b = mb.buf;
      int pos = mb.offsetsPos + 4 * (i + 1);
      long dst = o.memoryAddress() + (at + 1) * 8;
      for (int j = 0; j < n; j++) {
        MemoryUtil.putLong(dst + 8L * j, delta + (b.getInt(pos + 4 * j) & 0xFFFF_FFFFL));
      }
    } else {
      if (lastValue > Integer.MAX_VALUE) {
        throw new IllegalStateException("output of " + node.path() + " exceeds 2 GiB of 32-bit offsets;"
            + " read fewer rows per batch");
      }
      ArrowBuf o = offsets.ensure((at + n + 1) * 4);
      if (at == 0) {
        o.setInt(0, 0);
      }
      int d = (int) delta;
      java.nio.ByteBuffer b = mb.buf;
      int pos = mb.offsetsPos + 4 * (i + 1);
      long dst = o.memoryAddress() + (at + 1) * 4;
      for (int j = 0; j < n; j++) {
        MemoryUtil.putInt(dst + 4L * j, d + b.getInt(pos + 4 * j));
      }
    }
  }

  void setValid(long i, boolean valid) {
    ArrowBuf v = validity.ensure((i >>> 3) + 1);
    if (valid) {
      Bits.set(v, i, true);
    } else {
      nullCount++;
    }
  }

  /** Appends the field nodes and buffers of this subtree in pre-order, handing buffers over. */
  void finish(List<ArrowFieldNode> fieldNodes, List<ArrowBuf> buffers) {
    fieldNodes.add(new ArrowFieldNode(count, nullCount));
    if (validity != null) {
      buffers.add(validity.take((count + 7) / 8));
    }
    if (offsets != null) {
      if (count == 0) {
        putOffset(0, 0);
      }
      buffers.add(offsets.take((count + 1) * (wideOffsets ? 8 : 4)));
    }
    if (externalData != null) {
      externalData.writerIndex(externalData.capacity());
      buffers.add(externalData);
      externalData = null;
    } else if (data != null) {
      long len = switch (node.kind()) {
        case FIXED -> count * node.byteWidth();
        case BOOL -> (count + 7) / 8;
        default -> dataLength;
      };
      buffers.add(data.take(len));
    }
    for (OutputNode c : children) {
      c.finish(fieldNodes, buffers);
    }
  }

  @Override
  public void close() {
    if (validity != null) {
      validity.close();
    }
    if (offsets != null) {
      offsets.close();
    }
    if (data != null) {
      data.close();
    }
    if (externalData != null) {
      externalData.close();
      externalData = null;
    }
    for (OutputNode c : children) {
      c.close();
    }
  }
}
