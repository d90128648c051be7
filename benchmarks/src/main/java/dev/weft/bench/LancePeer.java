package dev.weft.bench;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.lance.Dataset;
import org.lance.WriteParams;
import org.lance.ipc.LanceScanner;
import org.lance.ipc.ScanOptions;

/** Lance datasets through lance-core (Java, JNI), default write parameters. */
final class LancePeer extends Peer {
  @Override
  String name() {
    return "lance";
  }

  @Override
  String library() {
    return "lance-core " + Versions.lance();
  }

  @Override
  String options() {
    return "default WriteParams (Lance's default file version), take by row offset";
  }

  @Override
  String fileName() {
    return "lance.lance";
  }

  @Override
  void write(Path input, Path target, BufferAllocator allocator) throws Exception {
    try (FileChannel ch = FileChannel.open(input, StandardOpenOption.READ);
        ArrowFileReader in = new ArrowFileReader(ch, allocator);
        ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
      Data.exportArrayStream(allocator, in, stream);
      WriteParams params = new WriteParams.Builder().build();
      try (Dataset ds = Dataset.create(allocator, stream, target.toString(), params)) {
        ds.countRows();
      }
    }
  }

  @Override
  Reader open(Path target, BufferAllocator allocator) throws Exception {
    Dataset ds = Dataset.open(target.toString(), allocator);
    List<String> all = new ArrayList<>();
    for (Field f : ds.getSchema().getFields()) {
      all.add(f.getName());
    }
    return new Reader() {
      @Override
      public long numRows() {
        return ds.countRows();
      }

      @Override
      public long scan(int batchRows) throws Exception {
        long rows = 0;
        ScanOptions opts = new ScanOptions.Builder().batchSize(batchRows).build();
        try (LanceScanner scanner = ds.newScan(opts);
            ArrowReader r = scanner.scanBatches()) {
          while (r.loadNextBatch()) {
            rows += r.getVectorSchemaRoot().getRowCount();
          }
        }
        return rows;
      }

      @Override
      public long filteredScan(FilterSpec filter, int batchRows) throws Exception {
        long rows = 0;
        ScanOptions opts = new ScanOptions.Builder().batchSize(batchRows).columns(filter.project())
            .filter(filter.text()).build();
        try (LanceScanner scanner = ds.newScan(opts);
            ArrowReader r = scanner.scanBatches()) {
          while (r.loadNextBatch()) {
            rows += r.getVectorSchemaRoot().getRowCount();
          }
        }
        return rows;
      }

      @Override
      public String filterMethod() {
        return "ScanOptions.filter(SQL text) with the projection (Lance's own pushdown)";
      }

      @Override
      public long take(long[] ids, List<String> columns, List<Map<String, String>> sink) throws Exception {
        List<Long> list = new ArrayList<>(ids.length);
        for (long id : ids) {
          list.add(id);
        }
        long rows = 0;
        try (ArrowReader r = ds.take(list, columns == null ? all : columns)) {
          while (r.loadNextBatch()) {
            VectorSchemaRoot root = r.getVectorSchemaRoot();
            rows += root.getRowCount();
            if (sink != null) {
              RowValues.append(root, sink);
            }
          }
        }
        return rows;
      }

      @Override
      public void close() {
        ds.close();
      }
    };
  }
}
