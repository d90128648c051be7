package dev.weft.loader;

import java.nio.charset.StandardCharsets;

/**
 * The byte layout of a shared-memory ring segment: one file (under {@code /dev/shm} by default)
 * holding a header page and {@code slotCount} fixed-size slots, each holding one Arrow IPC
 * record-batch message written by the server and read in place by clients (Java or Python).
 * This class is the layout's single source of truth; {@code PROTOCOL.md} repeats it for clients
 * in other languages. All integers are little-endian.
 *
 * <pre>
 * Segment file  (size = HEADER_LENGTH + slotCount * slotSize)
 * +--------------------+--------+--------+-----+------------------+
 * | header (4096 B)    | slot 0 | slot 1 | ... | slot slotCount-1 |
 * +--------------------+--------+--------+-----+------------------+
 *
 * Header page
 *  0                8        12       16               24               32
 *  +----------------+--------+--------+----------------+----------------+
 *  | magic WEFTRING | version| hdr len| owner pid      | owner start ms |
 *  +--------+-------+--------+--------+----------------+----------------+
 *  32       36      40               48               56               64
 *  | slots  | rsvd  | slot size      | first slot off | slot hdr len   |  ... zero to 4096
 *  +--------+-------+----------------+----------------+----------------+
 *
 * Slot i  (at FIRST_SLOT_OFFSET + i * slotSize; slotSize a multiple of 4096)
 *  0            8            16           24           32           40      44      48     64
 *  +------------+------------+------------+------------+------------+-------+-------+------+
 *  | generation | msg length | epoch      | batch index| first pos  | rows  | stream| rsvd |
 *  +------------+------------+------------+------------+------------+-------+-------+------+
 *  64                                                                  slotSize
 *  +------------------------------------------------------------ - - - -+
 *  | one encapsulated Arrow IPC message (0xFFFFFFFF, int32 metadata     |
 *  | length, flatbuffer Message of type RecordBatch padded to 8, body)  |
 *  +------------------------------------------------------------ - - - -+
 * </pre>
 *
 * <p>The generation is a sequence lock: the server stores an odd value before it writes a slot
 * and the next even value (with release semantics) after the message and the slot header are
 * complete; the {@code BATCH} reply names that even generation. A reader that maps a slot by a
 * handle (slot, generation), e.g. in another process, checks the generation before and after
 * reading; a different value means the slot was reused (the handle's lease ended). Within one
 * control connection the socket round trip already orders the writes before the reply.
 *
 * <p>The header page and every slot start on a 4096-byte page boundary, so the payload
 * (at slot offset {@link #SLOT_HEADER_LENGTH}) is 64-byte aligned; Arrow Java pads the message
 * metadata and every body buffer to 8 bytes, so each buffer is 8-byte aligned in memory.
 */
final class RingLayout {
  private RingLayout() {}

  /** Magic at offset 0 of a segment, "WEFTRING" in ASCII. */
  static final byte[] MAGIC = "WEFTRING".getBytes(StandardCharsets.US_ASCII);
  /** Layout version stored in the header. */
  static final int VERSION = 1;
  /** Alignment of the header, of slots and of their sizes (a page). */
  static final int PAGE = 4096;
  /** Cache-line alignment of the payload within a slot. */
  static final int ALIGNMENT = 64;

  // header fields
  static final int MAGIC_OFFSET = 0;
  static final int VERSION_OFFSET = 8;
  static final int HEADER_LENGTH_OFFSET = 12;
  static final int OWNER_PID_OFFSET = 16;
  static final int OWNER_START_OFFSET = 24;
  static final int SLOT_COUNT_OFFSET = 32;
  static final int SLOT_SIZE_OFFSET = 40;
  static final int FIRST_SLOT_OFFSET_OFFSET = 48;
  static final int SLOT_HEADER_LENGTH_OFFSET = 56;
  /** Length of the header (one page); slot 0 starts here. */
  static final int HEADER_LENGTH = PAGE;
  static final long FIRST_SLOT_OFFSET = HEADER_LENGTH;

  // slot header fields (relative to the slot's start)
  static final int GENERATION_OFFSET = 0;
  static final int MESSAGE_LENGTH_OFFSET = 8;
  static final int EPOCH_OFFSET = 16;
  static final int BATCH_INDEX_OFFSET = 24;
  static final int FIRST_POSITION_OFFSET = 32;
  static final int ROW_COUNT_OFFSET = 40;
  static final int STREAM_ID_OFFSET = 44;
  /** Bytes before a slot's payload (one cache line). */
  static final int SLOT_HEADER_LENGTH = ALIGNMENT;

  /** Smallest slot size accepted (one page). */
  static final long MIN_SLOT_SIZE = PAGE;
  /**
   * Largest slot size accepted: 1 GiB. Java maps a slot as one {@code MappedByteBuffer}, and
   * Arrow message lengths are 32-bit in part.
   */
  static final long MAX_SLOT_SIZE = 1L << 30;
  /** Most slots in one segment. */
  static final int MAX_SLOTS = 1 << 16;

  /**
   * Checks a ring geometry and returns the segment's file size.
   *
   * @throws IllegalArgumentException naming the bad value and the limits
   */
  static long segmentSize(int slotCount, long slotSize) {
    if (slotCount < 1 || slotCount > MAX_SLOTS) {
      throw new IllegalArgumentException("slot count must be in [1, " + MAX_SLOTS + "], got " + slotCount);
    }
    if (slotSize < MIN_SLOT_SIZE || slotSize > MAX_SLOT_SIZE) {
      throw new IllegalArgumentException("slot size must be in [" + MIN_SLOT_SIZE + ", " + MAX_SLOT_SIZE
          + "] bytes, got " + slotSize);
    }
    if (slotSize % PAGE != 0) {
      throw new IllegalArgumentException("slot size must be a multiple of " + PAGE + " bytes, got " + slotSize);
    }
    return Math.addExact(HEADER_LENGTH, Math.multiplyExact((long) slotCount, slotSize));
  }

  /** Offset of slot {@code slot}'s start (its header) in the segment. */
  static long slotOffset(int slot, long slotSize) {
    return FIRST_SLOT_OFFSET + slot * slotSize;
  }

  /** Offset of slot {@code slot}'s payload (the Arrow IPC message) in the segment. */
  static long payloadOffset(int slot, long slotSize) {
    return slotOffset(slot, slotSize) + SLOT_HEADER_LENGTH;
  }

  /** The largest Arrow IPC message a slot of {@code slotSize} bytes holds. */
  static long maxMessageLength(long slotSize) {
    return slotSize - SLOT_HEADER_LENGTH;
  }

  /** Rounds {@code n} up to a multiple of 8, as Arrow IPC pads. */
  static long pad8(long n) {
    return (n + 7) & ~7L;
  }
}
