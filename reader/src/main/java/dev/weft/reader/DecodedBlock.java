package dev.weft.reader;

import dev.weft.format.MiniBlock;

/**
 * A mini-block ready to read: its parsed view and the absolute element range it covers.
 *
 * @param id page index in the high 32 bits, block index in the low 32
 * @param firstElement absolute index of its first element
 * @param uncompressed whether {@code view.buf} is a view of the mapped file
 */
record DecodedBlock(long id, long firstElement, MiniBlock view, boolean uncompressed) {
  long endElement() {
    return firstElement + view.count;
  }
}
