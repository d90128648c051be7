package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.format.CorruptFileException;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WriterOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReaderOptions#withMemoryMap}(false): the file is read with positional reads, nothing of
 * it is mapped, and scans, takes (from several threads, through a small cache) and corruption
 * checks give what the mapped reader gives. (The whole reader suite was also run with positional
 * reads as the default: only the tests of mapped-only shortcuts, zero-copy scans and values read by
 * address, differ.)
 */
class PositionalReadTest {
  private static final long BASE_SEED = RoundTripTest.BASE_SEED ^ 0x9EADL;

  @TempDir Path dir;

  private static boolean mapped(Path file) throws Exception {
    String real = file.toRealPath().toString();
    return Files.readAllLines(Path.of("/proc/self/maps")).stream().anyMatch(l -> l.endsWith(real));
  }

  @Test
  void readsWhatTheMappedReaderReadsAndMapsNothing() throws Exception {
    long seed = BASE_SEED;
    System.out.println("PositionalReadTest.readsWhatTheMappedReaderReadsAndMapsNothing seed=" + seed);
    Random rnd = new Random(seed);
    ReaderOptions pread = ReaderOptions.defaults().withMemoryMap(false).withBlockCacheBytes(32 << 10);
    for (Codec codec : new Codec[] {Codec.ZSTD, Codec.NONE, Codec.LZ4}) {
      Path file = dir.resolve("t-" + codec + ".weft");
      try (BufferAllocator alloc = new RootAllocator();
          RoundTripTest.Expected e = RoundTripTest.generate(RandomArrow.allTypesSchema(),
              RoundTripTest.batchSizes(rnd, 500), seed, alloc,
              RandomArrow.Options.builder().nullProbability(0.2).build())) {
        RoundTripTest.write(file, e, WriterOptions.builder().miniBlockBytes(384).valuesPerMiniBlock(16)
            .targetPageBytes(1024).maxRowGroupRows(61).compression(codec).build(), alloc);
        try (WeftReader r = WeftReader.open(file, alloc, pread)) {
          RoundTripTest.assertScan(r, e, null, 37, 0, e.numRows, codec + " pread scan");
          ExecutorService pool = Executors.newFixedThreadPool(4);
          try {
            Future<?>[] fs = new Future<?>[4];
            for (int t = 0; t < fs.length; t++) {
              long threadSeed = seed + 31 * t;
              fs[t] = pool.submit(() -> {
                Random tr = new Random(threadSeed);
                for (int i = 0; i < 20; i++) {
                  long[] ids = new long[1 + tr.nextInt(120)];
                  for (int k = 0; k < ids.length; k++) {
                    ids[k] = (long) (tr.nextDouble() * e.numRows);
                  }
                  try (VectorSchemaRoot got = r.take(ids, null)) {
                    e.assertRows(got, null, ids, codec + " seed=" + threadSeed + " take " + i);
                  }
                }
                return null;
              });
            }
            for (Future<?> f : fs) {
              f.get();
            }
          } finally {
            pool.shutdownNow();
          }
          assertFalse(mapped(file), codec + ": read with positional reads, the file is not mapped");
        }
      }
    }
  }

  @Test
  void aDamagedBlockIsStillACorruptFile() throws Exception {
    long seed = BASE_SEED + 1;
    System.out.println("PositionalReadTest.aDamagedBlockIsStillACorruptFile seed=" + seed);
    Path file = dir.resolve("damaged.weft");
    try (BufferAllocator alloc = new RootAllocator();
        RoundTripTest.Expected e = RoundTripTest.generate(RandomArrow.allTypesSchema(),
            RoundTripTest.batchSizes(new Random(seed), 300), seed, alloc, RandomArrow.Options.builder().build())) {
      RoundTripTest.write(file, e, WriterOptions.builder().compression(Codec.ZSTD).build(), alloc);
      // flip 16 bytes a third into the file (mini-block data, more than any padding)
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        long at = ch.size() / 3;
        ByteBuffer some = ByteBuffer.allocate(16);
        ch.read(some, at);
        for (int i = 0; i < 16; i++) {
          some.put(i, (byte) (some.get(i) ^ 0x5A));
        }
        ch.write(some.rewind(), at);
      }
      try (WeftReader r = WeftReader.open(file, alloc, ReaderOptions.defaults().withMemoryMap(false))) {
        CorruptFileException ex = assertThrows(CorruptFileException.class, () -> {
          try (WeftScanner s = r.scan(null, 64)) {
            while (s.hasNext()) {
              s.nextBatch().close();
            }
          }
        });
        assertTrue(ex.getMessage().contains(file.getFileName().toString()), ex.getMessage());
      }
    }
  }
}
