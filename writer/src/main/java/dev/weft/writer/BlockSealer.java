package dev.weft.writer;

import dev.weft.format.BlockCodecs;
import dev.weft.format.Codec;
import dev.weft.format.WeftFormat;
import java.util.zip.CRC32C;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Turns a raw mini-block into stored bytes in the arena: compresses it when the codec saves at
 * least 10%, otherwise keeps it raw, and checksums what is stored. One per writer.
 */
final class BlockSealer implements AutoCloseable {
  /** Raw blocks smaller than this are never compressed: the frame overhead eats the gain. */
  private static final int MIN_COMPRESS_BYTES = 64;

  private final BlockArena arena;
  private final BlockCodecs.Compressor compressor;
  private final GrowBuf compressed;
  private final int typicalBlock;

  BlockSealer(BufferAllocator allocator, BlockArena arena, Codec codec, int level, int typicalBlock) {
    this.arena = arena;
    this.compressor = codec == Codec.NONE ? null : new BlockCodecs.Compressor(codec, level);
    this.typicalBlock = typicalBlock;
    this.compressed = new GrowBuf(allocator, codec == Codec.NONE ? 64
        : BlockCodecs.maxCompressedLength(codec, typicalBlock));
  }

  /** Bytes of scratch memory held. */
  long scratchBytes() {
    return compressed.capacity();
  }

  /**
   * Stores {@code raw[0, rawLength)}.
   *
   * @return the sealed block
   */
  SealedBlock seal(ArrowBuf raw, int rawLength, boolean hasValidity, long firstRow, int numRows,
      long firstElement, int numElements) {
    int flags = hasValidity ? WeftFormat.FLAG_HAS_VALIDITY : 0;
    ArrowBuf src = raw;
    int length = rawLength;
    if (compressor != null && rawLength >= MIN_COMPRESS_BYTES) {
      int bound = BlockCodecs.maxCompressedLength(compressor.codec(), rawLength);
      compressed.reset(BlockCodecs.maxCompressedLength(compressor.codec(), typicalBlock));
      compressed.ensure(bound);
      int n = compressor.compress(raw.nioBuffer(0, rawLength), 0, rawLength,
          compressed.buf().nioBuffer(0, bound), 0, bound);
      if (n > 0 && n <= rawLength * 0.9) {
        src = compressed.buf();
        length = n;
        flags |= compressor.codec().id() << WeftFormat.FLAG_CODEC_SHIFT;
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(src.nioBuffer(0, length));
    BlockArena.Slice slice = arena.append(src, 0, length);
    return new SealedBlock(firstRow, numRows, firstElement, numElements, slice, rawLength,
        (int) crc.getValue(), flags);
  }

  @Override
  public void close() {
    if (compressor != null) {
      compressor.close();
    }
    compressed.close();
  }
}
