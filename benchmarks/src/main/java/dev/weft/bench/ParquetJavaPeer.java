package dev.weft.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.predicate.Operators;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * The Parquet file written by pyarrow, read with parquet-java's column reader
 * ({@link ColumnReadStoreImpl}: every value decoded, nothing materialized into Arrow). parquet-java
 * has no row-level read API: a take reads each needed row group's (projected) column chunks and
 * walks every column to the rows asked for. It does not write (pyarrow wrote the file).
 */
final class ParquetJavaPeer extends Peer {
  @Override
  String name() {
    return "parquet-java";
  }

  @Override
  String library() {
    return "parquet-java " + Versions.parquet();
  }

  @Override
  String options() {
    return "reads the pyarrow-written Parquet file (zstd, page index) with the column reader";
  }

  @Override
  boolean writes() {
    return false;
  }

  @Override
  String fileName() {
    return "parquet.parquet";
  }

  @Override
  void write(Path input, Path target, BufferAllocator allocator) {
    throw new UnsupportedOperationException("parquet-java reads the Parquet file written by pyarrow");
  }

  @Override
  Reader open(Path target, BufferAllocator allocator) throws Exception {
    ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(target));
    MessageType schema = reader.getFooter().getFileMetaData().getSchema();
    String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
    List<BlockMetaData> blocks = reader.getRowGroups();
    long[] starts = new long[blocks.size() + 1];
    for (int i = 0; i < blocks.size(); i++) {
      starts[i + 1] = starts[i] + blocks.get(i).getRowCount();
    }
    return new Reader() {
      long sink;

      @Override
      public long numRows() {
        return starts[blocks.size()];
      }

      @Override
      public long scan(int batchRows) throws Exception {
        reader.setRequestedSchema(schema);
        long rows = 0;
        for (int g = 0; g < blocks.size(); g++) {
          PageReadStore pages = reader.readRowGroup(g);
          ColumnReadStoreImpl store = new ColumnReadStoreImpl(
              pages, new GroupRecordConverter(schema).getRootConverter(), schema, createdBy);
          boolean first = true;
          for (ColumnDescriptor d : schema.getColumns()) {
            ColumnReader cr = store.getColumnReader(d);
            long n = cr.getTotalValueCount();
            int maxDef = d.getMaxDefinitionLevel();
            long records = 0;
            for (long i = 0; i < n; i++) {
              if (cr.getCurrentRepetitionLevel() == 0) {
                records++;
              }
              if (cr.getCurrentDefinitionLevel() == maxDef) {
                sink += read(cr, d);
              }
              cr.consume();
            }
            if (first) {
              rows += records;
              first = false;
            }
          }
        }
        return rows;
      }

      /**
       * parquet-java's filter2 API: a new reader with {@code FilterCompat} as its record filter
       * (row-group statistics, then the column index of the pages, then record by record), the
       * projection as the requested schema, records assembled into example {@code Group}s.
       */
      @Override
      public long filteredScan(FilterSpec filter, int batchRows) throws Exception {
        FilterCompat.Filter f = FilterCompat.get(predicate(filter, schema));
        List<Type> fields = new ArrayList<>();
        for (String c : filter.project()) {
          fields.add(schema.getType(c));
        }
        MessageType requested = new MessageType(schema.getName(), fields);
        ParquetReadOptions opts = ParquetReadOptions.builder().withRecordFilter(f).useStatsFilter(true)
            .useColumnIndexFilter(true).useRecordFilter(true).build();
        long matches = 0;
        try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(target), opts)) {
          r.setRequestedSchema(requested);
          MessageColumnIO io = new ColumnIOFactory(createdBy).getColumnIO(requested, schema);
          PageReadStore pages;
          while ((pages = r.readNextFilteredRowGroup()) != null) {
            RecordReader<Group> rr = io.getRecordReader(pages, new GroupRecordConverter(requested), f);
            long rows = pages.getRowCount();
            for (long i = 0; i < rows; i++) {
              Group g = rr.read();
              if (g != null && !rr.shouldSkipCurrentRecord()) {
                matches++;
                sink += g.getFieldRepetitionCount(0);
              }
            }
          }
        }
        return matches;
      }

      @Override
      public String filterMethod() {
        return "filter2 FilterCompat record filter (row-group statistics, column index, then per record),"
            + " records assembled as example Groups";
      }

      @Override
      public long take(long[] ids, List<String> columns, List<Map<String, String>> out) throws Exception {
        MessageType requested = schema;
        if (columns != null) {
          List<Type> fields = new ArrayList<>();
          for (String c : columns) {
            fields.add(schema.getType(c));
          }
          requested = new MessageType(schema.getName(), fields);
        }
        reader.setRequestedSchema(requested);
        Integer[] order = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++) {
          order[i] = i;
          if (ids[i] < 0 || ids[i] >= starts[blocks.size()]) {
            throw new IllegalArgumentException("row " + ids[i] + " is out of range");
          }
        }
        Arrays.sort(order, (a, b) -> Long.compare(ids[a], ids[b]));
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
          rows.add(out == null ? null : new LinkedHashMap<>());
        }
        int k = 0;
        while (k < ids.length) {
          int g = Arrays.binarySearch(starts, ids[order[k]]);
          g = g >= 0 ? g : -g - 2;
          while (starts[g + 1] <= ids[order[k]]) {
            g++; // empty row groups
          }
          int end = k;
          while (end < ids.length && ids[order[end]] < starts[g + 1]) {
            end++;
          }
          PageReadStore pages = reader.readRowGroup(g);
          ColumnReadStoreImpl store = new ColumnReadStoreImpl(
              pages, new GroupRecordConverter(requested).getRootConverter(), requested, createdBy);
          for (ColumnDescriptor d : requested.getColumns()) {
            ColumnReader cr = store.getColumnReader(d);
            long n = cr.getTotalValueCount();
            int maxDef = d.getMaxDefinitionLevel();
            boolean flat = d.getMaxRepetitionLevel() == 0 && d.getPath().length == 1 && comparable(d);
            long record = -1;
            int t = k;
            for (long i = 0; i < n && t < end; i++) {
              if (cr.getCurrentRepetitionLevel() == 0) {
                record++;
                // a repeated id: the previous record is asked for again; every target of this
                // record gets the same value (flat columns) below
              }
              long want = ids[order[t]] - starts[g];
              if (record == want) {
                if (cr.getCurrentDefinitionLevel() == maxDef) {
                  sink += read(cr, d);
                  if (out != null && flat) {
                    String v = flatValue(cr, d);
                    for (int u = t; u < end && ids[order[u]] - starts[g] == want; u++) {
                      rows.get(order[u]).put(d.getPath()[0], v);
                    }
                  }
                } else if (out != null && flat) {
                  for (int u = t; u < end && ids[order[u]] - starts[g] == want; u++) {
                    rows.get(order[u]).put(d.getPath()[0], "null");
                  }
                }
                cr.consume();
                // the last value of this record? advance to the next target
                if (i + 1 == n || cr.getCurrentRepetitionLevel() == 0) {
                  while (t < end && ids[order[t]] - starts[g] == want) {
                    t++;
                  }
                }
              } else {
                if (cr.getCurrentDefinitionLevel() == maxDef) {
                  cr.skip();
                }
                cr.consume();
              }
            }
          }
          k = end;
        }
        if (out != null) {
          out.addAll(rows);
        }
        return ids.length;
      }

      @Override
      public void close() throws Exception {
        reader.close();
      }
    };
  }

  /** {@code lo <= column < hi} as a filter2 predicate on the column's physical type. */
  static FilterPredicate predicate(FilterSpec f, MessageType schema) {
    PrimitiveType t = schema.getType(f.column()).asPrimitiveType();
    return switch (t.getPrimitiveTypeName()) {
      case INT32 -> {
        Operators.IntColumn c = FilterApi.intColumn(f.column());
        yield FilterApi.and(FilterApi.gtEq(c, (int) f.loLong()), FilterApi.lt(c, (int) Math.min(f.hiLong(), Integer.MAX_VALUE)));
      }
      case INT64 -> {
        Operators.LongColumn c = FilterApi.longColumn(f.column());
        yield FilterApi.and(FilterApi.gtEq(c, f.loLong()), FilterApi.lt(c, f.hiLong()));
      }
      case FLOAT -> {
        Operators.FloatColumn c = FilterApi.floatColumn(f.column());
        yield FilterApi.and(FilterApi.gtEq(c, (float) f.loDouble()), FilterApi.lt(c, (float) f.hiDouble()));
      }
      case DOUBLE -> {
        Operators.DoubleColumn c = FilterApi.doubleColumn(f.column());
        yield FilterApi.and(FilterApi.gtEq(c, f.loDouble()), FilterApi.lt(c, f.hiDouble()));
      }
      default -> throw new IllegalArgumentException("column '" + f.column() + "' of Parquet type " + t
          + " has no filter2 predicate here");
    };
  }

  private static long read(ColumnReader cr, ColumnDescriptor d) {
    switch (d.getPrimitiveType().getPrimitiveTypeName()) {
      case BOOLEAN:
        return cr.getBoolean() ? 1 : 0;
      case INT32:
        return cr.getInteger();
      case INT64:
        return cr.getLong();
      case FLOAT:
        return Float.floatToRawIntBits(cr.getFloat());
      case DOUBLE:
        return Double.doubleToRawLongBits(cr.getDouble());
      default:
        Binary b = cr.getBinary();
        return b.length();
    }
  }

  /** Whether {@link #flatValue} prints values as Arrow Java does for the input's type. */
  private static boolean comparable(ColumnDescriptor d) {
    LogicalTypeAnnotation lt = d.getPrimitiveType().getLogicalTypeAnnotation();
    return lt == null
        || lt instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation
        || lt instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation;
  }

  /** The value as the input's Arrow Java would print it, for flat columns of simple types. */
  private static String flatValue(ColumnReader cr, ColumnDescriptor d) {
    PrimitiveType t = d.getPrimitiveType();
    LogicalTypeAnnotation lt = t.getLogicalTypeAnnotation();
    switch (t.getPrimitiveTypeName()) {
      case BOOLEAN:
        return Boolean.toString(cr.getBoolean());
      case INT32:
        return Integer.toString(cr.getInteger());
      case INT64:
        return Long.toString(cr.getLong());
      case FLOAT:
        return Float.toString(cr.getFloat());
      case DOUBLE:
        return Double.toString(cr.getDouble());
      default:
        if (lt instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation) {
          return cr.getBinary().toStringUsingUTF8();
        }
        return RowValues.normalize(cr.getBinary().getBytes());
    }
  }
}
