package dev.weft.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Rows as comparable strings, so that results of different libraries (which may return e.g.
 * large_utf8 where another returns utf8) can be checked against the input: byte arrays become
 * their bytes, lists and structs their elements, everything else its {@code toString()}.
 */
final class RowValues {
  private RowValues() {}

  static void append(VectorSchemaRoot root, List<Map<String, String>> sink) {
    for (int r = 0; r < root.getRowCount(); r++) {
      Map<String, String> row = new LinkedHashMap<>();
      for (FieldVector v : root.getFieldVectors()) {
        row.put(v.getName(), normalize(v.isNull(r) ? null : v.getObject(r)));
      }
      sink.add(row);
    }
  }

  static String normalize(Object o) {
    if (o == null) {
      return "null";
    }
    if (o instanceof byte[] b) {
      StringBuilder sb = new StringBuilder("0x");
      for (byte x : b) {
        sb.append(String.format("%02x", x));
      }
      return sb.toString();
    }
    if (o instanceof List<?> l) {
      List<String> out = new ArrayList<>();
      for (Object x : l) {
        out.add(normalize(x));
      }
      return out.toString();
    }
    if (o instanceof Map<?, ?> m) {
      Map<String, String> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put(String.valueOf(e.getKey()), normalize(e.getValue()));
      }
      return out.toString();
    }
    return o.toString();
  }
}
