package dev.weft.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ring segment: layout, creation, capacity check, stale-segment removal. */
class ShmRingTest {
  @TempDir Path dir;

  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }

  @Test
  void layoutIsPageAlignedWithCacheLineAlignedPayloads() {
    assertEquals(4096 + 3 * 8192L, RingLayout.segmentSize(3, 8192));
    for (int slot = 0; slot < 5; slot++) {
      assertEquals(0, RingLayout.slotOffset(slot, 8192) % RingLayout.PAGE);
      assertEquals(0, RingLayout.payloadOffset(slot, 8192) % RingLayout.ALIGNMENT);
    }
    assertEquals(8192 - 64, RingLayout.maxMessageLength(8192));
    assertThrows(IllegalArgumentException.class, () -> RingLayout.segmentSize(0, 4096));
    assertThrows(IllegalArgumentException.class, () -> RingLayout.segmentSize(RingLayout.MAX_SLOTS + 1, 4096));
    assertThrows(IllegalArgumentException.class, () -> RingLayout.segmentSize(4, 4000));
    assertThrows(IllegalArgumentException.class, () -> RingLayout.segmentSize(4, 6000));
    assertThrows(IllegalArgumentException.class, () -> RingLayout.segmentSize(4, (1L << 30) + 4096));
    assertThrows(IllegalArgumentException.class, () -> LoaderServerOptions.builder().slotSize(1000).build());
  }

  @Test
  void createWritesTheHeaderAndCloseDeletes() throws Exception {
    String base = ShmRing.newBaseName();
    assertTrue(base.matches("weft-" + ProcessHandle.current().pid() + "-[0-9a-f]{16}"), base);
    Path file;
    try (ShmRing ring = ShmRing.create(dir, base, 3, 8192)) {
      file = ring.file();
      assertEquals(dir.resolve(base + ".ring"), file);
      assertEquals(4096 + 3 * 8192, Files.size(file));
      ByteBuffer h = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
      byte[] magic = new byte[8];
      h.get(0, magic);
      assertArrayEquals(RingLayout.MAGIC, magic);
      assertEquals(1, h.getInt(RingLayout.VERSION_OFFSET));
      assertEquals(4096, h.getInt(RingLayout.HEADER_LENGTH_OFFSET));
      assertEquals(ProcessHandle.current().pid(), h.getLong(RingLayout.OWNER_PID_OFFSET));
      assertEquals(3, h.getInt(RingLayout.SLOT_COUNT_OFFSET));
      assertEquals(8192, h.getLong(RingLayout.SLOT_SIZE_OFFSET));
      assertEquals(4096, h.getLong(RingLayout.FIRST_SLOT_OFFSET_OFFSET));
      assertEquals(64, h.getLong(RingLayout.SLOT_HEADER_LENGTH_OFFSET));
      ring.beginWrite(1, 1);
      assertEquals(1, ring.generation(1));
      ring.endWrite(1, 2, 100, new BatchTag(null, 5, 6, 7), 8, 9);
      assertEquals(2, ring.generation(1));
      ByteBuffer s1 = ByteBuffer.wrap(Files.readAllBytes(file), (int) RingLayout.slotOffset(1, 8192), 64).slice()
          .order(ByteOrder.LITTLE_ENDIAN);
      assertEquals(2, s1.getLong(RingLayout.GENERATION_OFFSET));
      assertEquals(100, s1.getLong(RingLayout.MESSAGE_LENGTH_OFFSET));
      assertEquals(5, s1.getLong(RingLayout.EPOCH_OFFSET));
      assertEquals(6, s1.getLong(RingLayout.BATCH_INDEX_OFFSET));
      assertEquals(7, s1.getLong(RingLayout.FIRST_POSITION_OFFSET));
      assertEquals(8, s1.getInt(RingLayout.ROW_COUNT_OFFSET));
      assertEquals(9, s1.getInt(RingLayout.STREAM_ID_OFFSET));
      // our own, live segment is never stale
      assertEquals(List.of(), ShmRing.removeStale(dir));
    }
    assertFalse(Files.exists(file));
  }

  @Test
  void tooLittleSpaceIsAClearErrorAndLeavesNoFile() {
    IOException e = assertThrows(IOException.class,
        () -> ShmRing.create(dir, ShmRing.newBaseName(), RingLayout.MAX_SLOTS, RingLayout.MAX_SLOT_SIZE));
    assertTrue(e.getMessage().contains("needs") && e.getMessage().contains("--slot-size")
        && e.getMessage().contains("--shm-size"), e.getMessage());
    assertThrows(IOException.class, () -> ShmRing.create(dir.resolve("missing"), ShmRing.newBaseName(), 1, 4096));
    assertEquals(0, dir.toFile().list().length);
  }

  @Test
  void staleFilesOfDeadProcessesAreRemovedLiveOnesAndLockedOnesKept() throws Exception {
    long dead = deadPid();
    long live = ProcessHandle.current().pid();
    Path staleRing = Files.write(dir.resolve("weft-" + dead + "-00000000deadbeef.ring"), new byte[4096]);
    Path staleSock = Files.write(dir.resolve("weft-" + dead + "-00000000deadbeef.sock"), new byte[0]);
    Path liveRing = Files.write(dir.resolve("weft-" + live + "-00000000cafebabe.ring"), new byte[4096]);
    Path other = Files.write(dir.resolve("weft-" + dead + "-notours.ring"), new byte[1]);
    Path lockedRing = Files.write(dir.resolve("weft-" + deadPid() + "-00000000feedf00d.ring"), new byte[4096]);
    // a live owner in another pid namespace: its pid looks dead here, but it holds the lock
    // (simulated by a lock of this JVM, which makes tryLock fail just as another process's lock would)
    try (FileChannel ch = FileChannel.open(lockedRing, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock l = ch.lock()) {
      List<Path> removed = ShmRing.removeStale(dir);
      assertEquals(List.of(staleRing, staleSock).stream().sorted().toList(), removed.stream().sorted().toList());
      assertTrue(l.isValid());
    }
    assertFalse(Files.exists(staleRing));
    assertFalse(Files.exists(staleSock));
    assertTrue(Files.exists(liveRing));
    assertTrue(Files.exists(other));
    assertTrue(Files.exists(lockedRing));
    assertEquals(List.of(lockedRing), ShmRing.removeStale(dir), "once unlocked, it is stale");
  }
}
