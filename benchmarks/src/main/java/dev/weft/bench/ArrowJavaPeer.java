package dev.weft.bench;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Arrow IPC files through Arrow Java: written with {@link ArrowFileWriter} in the input's record
 * batches ({@code batchRows} rows each), read with {@link ArrowFileReader} (Arrow Java has no
 * memory-mapped reader: each record batch is read from the channel). A take locates a row's batch
 * by arithmetic, loads each needed batch once and copies the rows out.
 */
final class ArrowJavaPeer extends Peer {
  private final boolean zstd;
  private final int batchRows;

  ArrowJavaPeer(boolean zstd, int batchRows) {
    this.zstd = zstd;
    this.batchRows = batchRows;
  }

  @Override
  String name() {
    return zstd ? "arrow-java-zstd" : "arrow-java";
  }

  @Override
  String library() {
    return "arrow-java " + Versions.arrow();
  }

  @Override
  String options() {
    return "IPC file, " + (zstd ? "zstd buffers" : "uncompressed") + ", record batches of " + batchRows + " rows";
  }

  @Override
  String fileName() {
    return name() + ".arrow";
  }

  @Override
  void write(Path input, Path target, BufferAllocator allocator) throws Exception {
    try (FileChannel ch = FileChannel.open(input, StandardOpenOption.READ);
        ArrowFileReader in = new ArrowFileReader(ch, allocator);
        FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      VectorSchemaRoot root = in.getVectorSchemaRoot();
      CompressionCodec.Factory factory = zstd ? CommonsCompressionFactory.INSTANCE : NoCompressionCodec.Factory.INSTANCE;
      CompressionUtil.CodecType type = zstd ? CompressionUtil.CodecType.ZSTD : CompressionUtil.CodecType.NO_COMPRESSION;
      try (ArrowFileWriter w = new ArrowFileWriter(root, null, out, null, IpcOption.DEFAULT, factory, type)) {
        w.start();
        while (in.loadNextBatch()) {
          w.writeBatch();
        }
        w.end();
      }
    }
  }

  @Override
  Reader open(Path target, BufferAllocator allocator) throws Exception {
    return new IpcReader(target, allocator, batchRows);
  }

  /** Also used to read the reference rows of the input file. */
  static final class IpcReader implements Reader {
    private final FileChannel ch;
    private final ArrowFileReader reader;
    private final List<ArrowBlock> blocks;
    private final int batchRows;
    private final BufferAllocator allocator;

    IpcReader(Path file, BufferAllocator allocator, int batchRows) throws Exception {
      this.allocator = allocator;
      this.ch = FileChannel.open(file, StandardOpenOption.READ);
      this.reader = new ArrowFileReader(ch, allocator, CommonsCompressionFactory.INSTANCE);
      this.blocks = reader.getRecordBlocks();
      this.batchRows = batchRows;
    }

    @Override
    public long numRows() throws Exception {
      if (blocks.isEmpty()) {
        return 0;
      }
      reader.loadRecordBatch(blocks.get(blocks.size() - 1));
      return (long) (blocks.size() - 1) * batchRows + reader.getVectorSchemaRoot().getRowCount();
    }

    @Override
    public long scan(int ignored) throws Exception {
      long rows = 0;
      for (ArrowBlock b : blocks) {
        reader.loadRecordBatch(b);
        rows += reader.getVectorSchemaRoot().getRowCount();
      }
      return rows;
    }

    /**
     * Arrow Java has no filter: every record batch is read, the predicate evaluated row by row on
     * its column, and the matching rows of the projection copied into a batch of their own.
     */
    @Override
    public long filteredScan(FilterSpec filter, int ignored) throws Exception {
      VectorSchemaRoot src = reader.getVectorSchemaRoot();
      List<Field> fields = new ArrayList<>();
      for (String c : filter.project()) {
        fields.add(src.getSchema().findField(c));
      }
      boolean isFloat = filter.isFloat();
      long loL = isFloat ? 0 : filter.loLong();
      long hiL = isFloat ? 0 : filter.hiLong();
      double loD = isFloat ? filter.loDouble() : 0;
      double hiD = isFloat ? filter.hiDouble() : 0;
      long matches = 0;
      int[] hits = new int[0];
      try (VectorSchemaRoot out = VectorSchemaRoot.create(new Schema(fields), allocator)) {
        for (ArrowBlock b : blocks) {
          reader.loadRecordBatch(b);
          int rows = src.getRowCount();
          if (hits.length < rows) {
            hits = new int[rows];
          }
          FieldVector p = src.getVector(filter.column());
          int k = 0;
          for (int i = 0; i < rows; i++) {
            if (p.isNull(i)) {
              continue;
            }
            boolean m;
            if (p instanceof org.apache.arrow.vector.Float4Vector v) {
              double x = v.get(i);
              m = x >= loD && x < hiD;
            } else if (p instanceof org.apache.arrow.vector.Float8Vector v) {
              double x = v.get(i);
              m = x >= loD && x < hiD;
            } else if (p instanceof org.apache.arrow.vector.TimeStampVector v) {
              long x = v.get(i);
              m = x >= loL && x < hiL;
            } else {
              long x = ((org.apache.arrow.vector.BaseIntVector) p).getValueAsLong(i);
              m = x >= loL && x < hiL;
            }
            if (m) {
              hits[k++] = i;
            }
          }
          if (k == 0) {
            continue;
          }
          out.allocateNew();
          for (int c = 0; c < fields.size(); c++) {
            FieldVector from = src.getVector(fields.get(c).getName());
            FieldVector to = out.getVector(c);
            for (int j = 0; j < k; j++) {
              to.copyFromSafe(hits[j], j, from);
            }
            to.setValueCount(k);
          }
          out.setRowCount(k);
          matches += k;
        }
      }
      return matches;
    }

    @Override
    public String filterMethod() {
      return "reads every record batch, tests the predicate row by row, copies the matching rows of the projection";
    }

    @Override
    public long take(long[] ids, List<String> columns, List<Map<String, String>> sink) throws Exception {
      VectorSchemaRoot src = reader.getVectorSchemaRoot();
      Schema schema = src.getSchema();
      List<Field> fields = new ArrayList<>();
      if (columns == null) {
        fields.addAll(schema.getFields());
      } else {
        for (String c : columns) {
          fields.add(schema.findField(c));
        }
      }
      // order of the request, grouped by batch: sort positions by id
      Integer[] order = new Integer[ids.length];
      for (int i = 0; i < ids.length; i++) {
        order[i] = i;
      }
      java.util.Arrays.sort(order, (a, b) -> Long.compare(ids[a], ids[b]));
      // Variable-width vectors must be filled in index order: copy the rows in id order into
      // `sorted`, then into `out` in the order asked for.
      try (VectorSchemaRoot sorted = VectorSchemaRoot.create(new Schema(fields), allocator);
          VectorSchemaRoot out = VectorSchemaRoot.create(new Schema(fields), allocator)) {
        sorted.allocateNew();
        out.allocateNew();
        int[] rankOf = new int[ids.length];
        int loaded = -1;
        List<FieldVector> srcVectors = new ArrayList<>();
        for (int k = 0; k < ids.length; k++) {
          int pos = order[k];
          rankOf[pos] = k;
          long id = ids[pos];
          if (id < 0 || id / batchRows >= blocks.size()) {
            throw new IllegalArgumentException("row " + id + " is out of range");
          }
          int batch = (int) (id / batchRows);
          if (batch != loaded) {
            reader.loadRecordBatch(blocks.get(batch));
            loaded = batch;
            srcVectors.clear();
            for (Field f : fields) {
              srcVectors.add(src.getVector(f.getName()));
            }
          }
          int local = (int) (id - (long) batch * batchRows);
          for (int c = 0; c < fields.size(); c++) {
            sorted.getVector(c).copyFromSafe(local, k, srcVectors.get(c));
          }
        }
        for (FieldVector v : sorted.getFieldVectors()) {
          v.setValueCount(ids.length);
        }
        for (int pos = 0; pos < ids.length; pos++) {
          for (int c = 0; c < fields.size(); c++) {
            out.getVector(c).copyFromSafe(rankOf[pos], pos, sorted.getVector(c));
          }
        }
        for (FieldVector v : out.getFieldVectors()) {
          v.setValueCount(ids.length);
        }
        out.setRowCount(ids.length);
        if (sink != null) {
          RowValues.append(out, sink);
        }
        return ids.length;
      }
    }

    @Override
    public void close() throws Exception {
      reader.close();
      ch.close();
    }
  }
}
