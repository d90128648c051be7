package dev.weft.writer;

/**
 * A finished mini-block waiting in the arena for its row group to be written.
 *
 * @param firstRow global first top-level row
 * @param numRows rows covered
 * @param firstElement global first element of the node
 * @param numElements elements held
 * @param stored where the stored (maybe compressed) bytes are
 * @param rawLength length before compression
 * @param crc CRC32C of the stored bytes
 * @param flags block-entry flags (validity, codec)
 */
record SealedBlock(
    long firstRow,
    int numRows,
    long firstElement,
    int numElements,
    BlockArena.Slice stored,
    int rawLength,
    int crc,
    int flags) {}
