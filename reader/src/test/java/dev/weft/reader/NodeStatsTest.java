package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.format.CorruptFileException;
import dev.weft.format.NodeKind;
import dev.weft.format.PageMeta;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeStatsTest {
  @TempDir Path dir;

  private static final Schema SCHEMA = new Schema(List.of(
      Field.nullable("id", new ArrowType.Int(64, true)),
      new Field("tags", FieldType.nullable(ArrowType.List.INSTANCE),
          List.of(Field.nullable("item", new ArrowType.Int(64, true))))));

  private Path write(BufferAllocator alloc, int rows) throws Exception {
    Path file = dir.resolve("s.weft");
    try (WeftWriter w = WeftWriter.open(file, SCHEMA, WriterOptions.builder().compression(Codec.ZSTD).build());
        VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, alloc)) {
      BigIntVector id = (BigIntVector) root.getVector(0);
      ListVector tags = (ListVector) root.getVector(1);
      UnionListWriter lw = tags.getWriter();
      for (int i = 0; i < rows; i++) {
        if (i % 10 == 0) {
          id.setNull(i);
        } else {
          id.setSafe(i, i % 7);
        }
        lw.setPosition(i);
        lw.startList();
        for (int j = 0; j < i % 4; j++) {
          lw.bigInt().writeBigInt(j);
        }
        lw.endList();
      }
      lw.setValueCount(rows);
      root.setRowCount(rows);
      w.write(root);
    }
    return file;
  }

  @Test
  void reportsBlocksBytesAndCodecs() throws Exception {
    try (BufferAllocator alloc = new RootAllocator()) {
      Path file = write(alloc, 50_000);
      try (WeftReader r = WeftReader.open(file, alloc)) {
        List<NodeStats> id = r.nodeStats(0);
        assertEquals(1, id.size());
        NodeStats s = id.get(0);
        assertEquals(NodeKind.FIXED, s.kind());
        assertEquals(50_000, s.elements());
        assertTrue(s.blocks() > 1 && s.pages() >= 1, s.toString());
        assertTrue(s.storedBytes() <= s.rawBytes(), s.toString());
        assertEquals(s.blocks(), s.blocksWithNulls(), "every block holds a null");
        // per-encoding detail adds up to the node's totals
        assertEquals(s.blocks(), s.encodings().values().stream().mapToLong(EncodingStats::blocks).sum(), s.toString());
        assertEquals(s.storedBytes(), s.encodings().values().stream().mapToLong(EncodingStats::storedBytes).sum());
        assertEquals(s.elements(), s.encodings().values().stream().mapToLong(EncodingStats::elements).sum());
        assertTrue(s.encodings().values().stream().allMatch(x -> x.pages() >= 1 && x.pages() <= s.pages()), s.toString());
        // i % 7 with a null every 10 rows: periodic, so zstd over the plain block wins here
        assertTrue(s.ratioOverPlain(8) > 4, "8-byte values of 3 bits: " + s);
        List<NodeStats> tags = r.nodeStats(1);
        assertEquals(List.of("tags", "tags.item"), tags.stream().map(NodeStats::path).toList());
        assertEquals(NodeKind.LIST, tags.get(0).kind());
        r.verifyColumn(0);
        r.verifyColumn(1);
      }
    }
  }

  @Test
  void verifyColumnFindsACorruptBlock() throws Exception {
    try (BufferAllocator alloc = new RootAllocator()) {
      Path file = write(alloc, 20_000);
      long blockOffset;
      try (WeftReader r = WeftReader.open(file, alloc)) {
        PageMeta page = r.columnMeta(0).pagesPerNode().get(0).get(0);
        blockOffset = page.offset() + 3;
      }
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.allocate(1);
        ch.read(b, blockOffset);
        b.put(0, (byte) (b.get(0) ^ 0x10)).rewind();
        ch.write(b, blockOffset);
      }
      try (WeftReader r = WeftReader.open(file, alloc)) {
        r.verifyColumn(1);
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> r.verifyColumn(0));
        assertTrue(e.getMessage().contains("checksum") && e.getMessage().contains("'id'"), e.getMessage());
      }
    }
  }
}
