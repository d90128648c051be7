package dev.weft.cli.convert;

import dev.weft.cli.convert.Sources.Input;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Hive-style partition columns: a directory {@code key=value} between a directory (or glob)
 * source and a file adds a column {@code key} whose value is {@code value} in every row of that
 * file, as pyarrow's default {@code partitioning="hive"} does:
 *
 * <ul>
 *   <li>the columns come after the file's own columns, in the order of the directories;
 *   <li>a key whose values (over all inputs of the conversion) are all 32-bit integers is an
 *       {@code int32} column, any other key a {@code string} column;
 *   <li>values are URL-decoded; {@code __HIVE_DEFAULT_PARTITION__} and empty values are null.
 * </ul>
 *
 * Files of one conversion need not have the same keys (each output gets its own), but a key
 * that is also a column of the file is an error.
 */
public final class Partitions {
  static final String HIVE_NULL = "__HIVE_DEFAULT_PARTITION__";

  private final Map<String, ArrowType> types;
  private final Map<Input, List<String[]>> segments;

  private Partitions(Map<String, ArrowType> types, Map<Input, List<String[]>> segments) {
    this.types = types;
    this.segments = segments;
  }

  /** Infers the partition keys and types of all inputs. */
  public static Partitions infer(List<Input> inputs) {
    Map<Input, List<String[]>> segs = new HashMap<>();
    Map<String, Boolean> allInts = new LinkedHashMap<>();
    for (Input in : inputs) {
      List<String[]> s = in.partitionSegments();
      Set<String> keys = new HashSet<>();
      for (String[] kv : s) {
        if (!keys.add(kv[0])) {
          throw new IllegalArgumentException(in.path() + ": partition key '" + kv[0] + "' appears twice in its path");
        }
        boolean isInt = isNull(kv[1]) || isInt32(kv[1]);
        allInts.merge(kv[0], isInt, Boolean::logicalAnd);
      }
      segs.put(in, s);
    }
    Map<String, ArrowType> types = new LinkedHashMap<>();
    for (Map.Entry<String, Boolean> e : allInts.entrySet()) {
      types.put(e.getKey(), e.getValue() ? new ArrowType.Int(32, true) : ArrowType.Utf8.INSTANCE);
    }
    return new Partitions(types, segs);
  }

  private static boolean isNull(String v) {
    return v.isEmpty() || v.equals(HIVE_NULL);
  }

  private static boolean isInt32(String v) {
    try {
      Integer.parseInt(v);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The partition fields of one input (empty if it has none). */
  public List<Field> fields(Input in) {
    List<Field> out = new ArrayList<>();
    for (String[] kv : segments.getOrDefault(in, List.of())) {
      out.add(new Field(kv[0], FieldType.nullable(types.get(kv[0])), null));
    }
    return out;
  }

  /** Checks that no partition key is also a column of the file. */
  public void check(Input in, List<String> fileColumns) {
    for (String[] kv : segments.getOrDefault(in, List.of())) {
      if (fileColumns.contains(kv[0])) {
        throw new IllegalArgumentException(in.path() + ": partition directory '" + kv[0] + "=" + kv[1]
            + "' names a column the file already has");
      }
    }
  }

  /** New vectors holding the partition values of {@code in} in {@code rows} rows. */
  public List<FieldVector> vectors(Input in, List<Field> fields, int rows, BufferAllocator allocator) {
    List<FieldVector> out = new ArrayList<>();
    List<String[]> segs = segments.getOrDefault(in, List.of());
    Map<String, String> values = new HashMap<>();
    for (String[] kv : segs) {
      values.put(kv[0], kv[1]);
    }
    try {
      for (Field f : fields) {
        String v = values.get(f.getName());
        FieldVector vec = f.createVector(allocator);
        out.add(vec);
        if (vec instanceof IntVector iv) {
          iv.allocateNew(rows);
          if (v != null && !isNull(v)) {
            int x = Integer.parseInt(v);
            for (int i = 0; i < rows; i++) {
              iv.set(i, x);
            }
          }
        } else {
          VarCharVector sv = (VarCharVector) vec;
          byte[] bytes = v == null || isNull(v) ? null : v.getBytes(StandardCharsets.UTF_8);
          sv.allocateNew(bytes == null ? 1 : (long) bytes.length * rows + 1, rows);
          if (bytes != null) {
            for (int i = 0; i < rows; i++) {
              sv.setSafe(i, bytes);
            }
          }
        }
        vec.setValueCount(rows);
      }
    } catch (RuntimeException e) {
      for (FieldVector v : out) {
        v.close();
      }
      throw e;
    }
    return out;
  }

  /** Whether any input has partition directories. */
  public boolean any() {
    for (List<String[]> s : segments.values()) {
      if (!s.isEmpty()) {
        return true;
      }
    }
    return false;
  }
}
