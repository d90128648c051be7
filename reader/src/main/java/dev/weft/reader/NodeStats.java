package dev.weft.reader;

import dev.weft.format.Codec;
import dev.weft.format.NodeKind;
import java.util.Map;

/**
 * Storage statistics of one node of a column, from its page metadata and block tables (no
 * data is read).
 *
 * @param path dotted node path, e.g. {@code history.item}
 * @param kind how the node is stored
 * @param type the node's Arrow type, as text
 * @param pages number of pages
 * @param blocks number of mini-blocks
 * @param elements number of values (list items for a child of a list)
 * @param storedBytes bytes of mini-blocks as stored (after compression)
 * @param rawBytes bytes of mini-blocks before compression
 * @param blocksByCodec how many blocks each codec stored (blocks kept raw count as NONE)
 * @param blocksWithNulls blocks that carry a validity bitmap
 * @param metadataBytes bytes of block tables and page metadata for this node
 * @param encodings blocks, pages and bytes per encoding (key: {@link EncodingStats#encoding()}),
 *     in order of first use
 */
public record NodeStats(
    String path,
    NodeKind kind,
    String type,
    int pages,
    long blocks,
    long elements,
    long storedBytes,
    long rawBytes,
    Map<Codec, Long> blocksByCodec,
    long blocksWithNulls,
    long metadataBytes,
    Map<String, EncodingStats> encodings) {

  /** Statistics without per-encoding detail (as before format 2.0). */
  public NodeStats(String path, NodeKind kind, String type, int pages, long blocks, long elements, long storedBytes,
      long rawBytes, Map<Codec, Long> blocksByCodec, long blocksWithNulls, long metadataBytes) {
    this(path, kind, type, pages, blocks, elements, storedBytes, rawBytes, blocksByCodec, blocksWithNulls,
        metadataBytes, Map.of());
  }

  /**
   * Plain bytes per stored byte for a FIXED node of {@code byteWidth}-byte values: how much the
   * encodings and compression together shrank the values (validity not counted).
   */
  public double ratioOverPlain(int byteWidth) {
    return storedBytes == 0 ? 1.0 : (double) elements * byteWidth / storedBytes;
  }

  /** Raw bytes per stored byte (1.0 when nothing was compressed). */
  public double compressionRatio() {
    return storedBytes == 0 ? 1.0 : (double) rawBytes / storedBytes;
  }
}
