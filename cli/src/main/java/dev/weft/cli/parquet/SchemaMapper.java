package dev.weft.cli.parquet;

import dev.weft.cli.parquet.Col.Leaf;
import dev.weft.cli.parquet.Col.ListCol;
import dev.weft.cli.parquet.Col.StructCol;
import java.io.ByteArrayInputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Maps a Parquet schema to Arrow exactly as Arrow C++ (pyarrow, with its defaults) does: the
 * same types for every physical/logical type combination, the same list, map and legacy
 * (two-level, one-level, "array"/"_tuple") layouts, the same names and nullability, field ids
 * as {@code PARQUET:field_id} metadata, and the original Arrow schema stored under
 * {@code ARROW:schema} applied on top (time zones, large types, durations, decimal256,
 * fixed-size lists, field metadata, extension types).
 *
 * <p>Two deliberate differences, because Weft files store plain Arrow storage types: dictionary
 * types are read as their value type, and extension types (uuid, json, anything from the stored
 * schema) as their storage type with the {@code ARROW:extension:*} field metadata, so a reader
 * such as pyarrow sees the extension type again.
 */
final class SchemaMapper {
  static final String FIELD_ID_KEY = "PARQUET:field_id";
  static final String EXT_NAME = "ARROW:extension:name";
  static final String EXT_META = "ARROW:extension:metadata";

  private final Path file;
  private final MessageType schema;
  private final Map<String, Integer> columnIndex = new HashMap<>();

  private SchemaMapper(Path file, MessageType schema) {
    this.file = file;
    this.schema = schema;
    List<ColumnDescriptor> cols = schema.getColumns();
    for (int i = 0; i < cols.size(); i++) {
      columnIndex.put(key(cols.get(i).getPath()), i);
    }
  }

  private static String key(String[] path) {
    return String.join("\u0000", path);
  }

  /** The top-level columns, with the stored Arrow schema (if any) applied. */
  static List<Col> map(Path file, MessageType schema, Map<String, String> keyValueMetadata)
      throws ParquetFormatException {
    SchemaMapper m = new SchemaMapper(file, schema);
    List<Col> cols = new ArrayList<>();
    try {
      for (Type t : schema.getFields()) {
        cols.add(m.node(t, new Levels(0, 0, 0), List.of(t.getName())));
      }
    } catch (IllegalArgumentException | IllegalStateException | ClassCastException e) {
      throw new ParquetFormatException(file, "unsupported Parquet schema: " + e.getMessage(), e);
    }
    Schema origin = originSchema(keyValueMetadata);
    if (origin != null && origin.getFields().size() == cols.size()) {
      for (int i = 0; i < cols.size(); i++) {
        try {
          applyOrigin(origin.getFields().get(i), cols.get(i));
        } catch (RuntimeException e) {
          // A stored schema that does not fit is ignored, as Arrow C++ ignores what it cannot apply.
        }
      }
    }
    for (Col c : cols) {
      markRepresentatives(c);
    }
    return cols;
  }

  /** The schema-level metadata pyarrow reports: the key/value metadata without ARROW:schema. */
  static Map<String, String> schemaMetadata(Map<String, String> keyValueMetadata) {
    Map<String, String> out = new LinkedHashMap<>();
    if (keyValueMetadata == null) {
      return out;
    }
    Schema origin = originSchema(keyValueMetadata);
    if (origin != null) {
      if (origin.getCustomMetadata() != null) {
        out.putAll(origin.getCustomMetadata());
      }
      return out;
    }
    for (Map.Entry<String, String> e : keyValueMetadata.entrySet()) {
      if (!e.getKey().equals("ARROW:schema") && e.getValue() != null) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  private static void markRepresentatives(Col c) {
    if (c instanceof Leaf) {
      return;
    }
    c.rep = c.leaves().get(0);
    c.rep.keepLevels = true;
    for (Col ch : c.children()) {
      markRepresentatives(ch);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Levels (Arrow C++ parquet::internal::LevelInfo)

  /** def/rep levels so far and the def level of the innermost repeated ancestor. */
  record Levels(int def, int rep, int ancDef) {
    Levels optional() {
      return new Levels(def + 1, rep, ancDef);
    }

    Levels increment(Type t) {
      if (t.isRepetition(Type.Repetition.REPEATED)) {
        return repeated();
      }
      return t.isRepetition(Type.Repetition.OPTIONAL) ? optional() : this;
    }

    Levels repeated() {
      return new Levels(def + 1, rep + 1, def + 1);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Parquet schema -> columns (Arrow C++ schema.cc: NodeToSchemaField and friends)

  private Col node(Type t, Levels cur, List<String> path) {
    if (!t.isPrimitive()) {
      return group(t.asGroupType(), cur, path);
    }
    PrimitiveType p = t.asPrimitiveType();
    if (t.isRepetition(Type.Repetition.REPEATED)) {
      // one-level list: "repeated int32 a" -> list<a: int32 not null> not null
      Levels inner = cur.repeated();
      Leaf leaf = leaf(p, path, inner, inner.def(), inner.rep(), false, false);
      ListCol list = new ListCol(leaf, cur.def(), cur.ancDef(), cur.rep(), inner.def(), inner.rep());
      list.field = listField(t.getName(), false, leaf.field, fieldIdMetadata(t));
      return list;
    }
    Levels l = cur.increment(t);
    return leaf(p, path, l, cur.ancDef(), cur.rep(), t.isRepetition(Type.Repetition.OPTIONAL), true);
  }

  private Leaf leaf(PrimitiveType p, List<String> path, Levels levels, int ancDef, int ancRep,
      boolean nullable, boolean withFieldId) {
    Integer idx = columnIndex.get(key(path.toArray(new String[0])));
    if (idx == null) {
      throw new IllegalStateException("no column for " + String.join(".", path));
    }
    ColumnDescriptor desc = schema.getColumns().get(idx);
    if (desc.getMaxDefinitionLevel() != levels.def() || desc.getMaxRepetitionLevel() != levels.rep()) {
      throw new IllegalStateException("levels of " + String.join(".", path) + " do not match");
    }
    Leaf leaf = new Leaf(desc, idx, levels.def(), ancDef, ancRep);
    LeafType lt = leafType(p);
    Map<String, String> meta = withFieldId ? fieldIdMetadata(p) : null;
    if (lt.extension != null) {
      meta = meta == null ? new LinkedHashMap<>() : new LinkedHashMap<>(meta);
      meta.put(EXT_NAME, lt.extension);
      meta.put(EXT_META, "");
    }
    leaf.field = new Field(p.getName(), new FieldType(nullable, lt.type, null, meta), List.of());
    return leaf;
  }

  private Col group(GroupType g, Levels cur, List<String> path) {
    LogicalTypeAnnotation ann = g.getLogicalTypeAnnotation();
    if (ann instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
      return list(g, cur, path);
    }
    if (ann instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation
        || ann instanceof LogicalTypeAnnotation.MapKeyValueTypeAnnotation) {
      return map(g, cur, path);
    }
    if (g.isRepetition(Type.Repetition.REPEATED)) {
      // repeated group -> list<struct> not null
      Levels inner = cur.repeated();
      StructCol s = struct(g, inner, inner.def(), inner.def(), inner.rep(), false, path);
      ListCol list = new ListCol(s, cur.def(), cur.ancDef(), cur.rep(), inner.def(), inner.rep());
      list.field = listField(g.getName(), false, s.field, fieldIdMetadata(g));
      return list;
    }
    Levels l = cur.increment(g);
    return struct(g, l, l.def(), cur.ancDef(), cur.rep(), g.isRepetition(Type.Repetition.OPTIONAL), path);
  }

  private StructCol struct(GroupType g, Levels childLevels, int def, int ancDef, int ancRep, boolean nullable,
      List<String> path) {
    if (g.getFieldCount() == 0) {
      throw new IllegalArgumentException("group " + String.join(".", path) + " has no fields");
    }
    List<Col> children = new ArrayList<>();
    List<Field> fields = new ArrayList<>();
    for (Type t : g.getFields()) {
      Col c = node(t, childLevels, append(path, t.getName()));
      children.add(c);
      fields.add(c.field);
    }
    StructCol s = new StructCol(children, def, ancDef, ancRep);
    s.field = new Field(g.getName(), new FieldType(nullable, ArrowType.Struct.INSTANCE, null, fieldIdMetadata(g)),
        fields);
    return s;
  }

  private Col list(GroupType g, Levels cur, List<String> path) {
    if (g.getFieldCount() != 1) {
      throw new IllegalArgumentException("LIST-annotated groups must have a single child (" + String.join(".", path)
          + ")");
    }
    if (g.isRepetition(Type.Repetition.REPEATED)) {
      throw new IllegalArgumentException("LIST-annotated groups must not be repeated (" + String.join(".", path)
          + ")");
    }
    Levels l = cur.increment(g);
    Type r = g.getType(0);
    if (!r.isRepetition(Type.Repetition.REPEATED)) {
      throw new IllegalArgumentException("non-repeated nodes in a LIST-annotated group are not supported ("
          + String.join(".", path) + ")");
    }
    Levels inner = l.repeated();
    List<String> rpath = append(path, r.getName());
    Col child;
    if (!r.isPrimitive()) {
      GroupType rg = r.asGroupType();
      if (rg.getFieldCount() > 1) {
        child = struct(rg, inner, inner.def(), inner.def(), inner.rep(), false, rpath);
      } else if (rg.getFieldCount() == 1) {
        Type f = rg.getType(0);
        if (f.isRepetition(Type.Repetition.REPEATED)) {
          if (!(rg.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation)) {
            throw new IllegalArgumentException("group with one repeated child must be LIST-annotated ("
                + String.join(".", rpath) + ")");
          }
          if (!f.isPrimitive()) {
            GroupType fg = f.asGroupType();
            if (fg.getFieldCount() == 0) {
              throw new IllegalArgumentException("LIST-annotated groups must have at least one child");
            }
            if (!fg.getType(0).isRepetition(Type.Repetition.REPEATED)) {
              throw new IllegalArgumentException("LIST-annotated groups must not be repeated");
            }
          }
          child = node(f, inner, append(rpath, f.getName()));
        } else if (rg.getName().equals("array") || rg.getName().equals(g.getName() + "_tuple")) {
          child = struct(rg, inner, inner.def(), inner.def(), inner.rep(), false, rpath);
        } else {
          child = node(f, inner, append(rpath, f.getName()));
        }
      } else {
        throw new IllegalArgumentException("group must have at least one child (" + String.join(".", rpath) + ")");
      }
    } else {
      // two-level list: repeated primitive inside the LIST group
      child = leaf(r.asPrimitiveType(), rpath, inner, inner.def(), inner.rep(), false, true);
    }
    ListCol list = new ListCol(child, l.def(), cur.ancDef(), cur.rep(), inner.def(), inner.rep());
    list.field = listField(g.getName(), g.isRepetition(Type.Repetition.OPTIONAL), child.field, fieldIdMetadata(g));
    return list;
  }

  private Col map(GroupType g, Levels cur, List<String> path) {
    String where = " (" + String.join(".", path) + ")";
    if (g.getFieldCount() != 1) {
      throw new IllegalArgumentException("MAP-annotated groups must have a single child" + where);
    }
    if (g.isRepetition(Type.Repetition.REPEATED)) {
      throw new IllegalArgumentException("MAP-annotated groups must not be repeated" + where);
    }
    Type kvNode = g.getType(0);
    if (!kvNode.isRepetition(Type.Repetition.REPEATED)) {
      throw new IllegalArgumentException("non-repeated key value in a MAP-annotated group is not supported" + where);
    }
    if (kvNode.isPrimitive()) {
      throw new IllegalArgumentException("key-value node must be a group" + where);
    }
    GroupType kv = kvNode.asGroupType();
    if (kv.getFieldCount() != 1 && kv.getFieldCount() != 2) {
      throw new IllegalArgumentException("key-value map node must have 1 or 2 child elements, found "
          + kv.getFieldCount() + where);
    }
    if (!kv.getType(0).isRepetition(Type.Repetition.REQUIRED)) {
      throw new IllegalArgumentException("map keys must be annotated as required" + where);
    }
    if (kv.getFieldCount() == 1) {
      return list(g, cur, path); // a set: read as a list of keys, as Arrow C++ does
    }
    Levels l = cur.increment(g);
    Levels inner = l.repeated();
    List<String> kvPath = append(path, kv.getName());
    Col key = node(kv.getType(0), inner, append(kvPath, kv.getType(0).getName()));
    Col value = node(kv.getType(1), inner, append(kvPath, kv.getType(1).getName()));
    StructCol entries = new StructCol(List.of(key, value), inner.def(), inner.def(), inner.rep());
    entries.field = new Field(g.getName(), new FieldType(false, ArrowType.Struct.INSTANCE, null, fieldIdMetadata(kv)),
        List.of(key.field, value.field));
    ListCol map = new ListCol(entries, l.def(), cur.ancDef(), cur.rep(), inner.def(), inner.rep());
    map.kind = ListCol.Kind.MAP;
    map.field = new Field(g.getName(), new FieldType(g.isRepetition(Type.Repetition.OPTIONAL), new ArrowType.Map(false),
        null, fieldIdMetadata(g)), List.of(entries.field));
    return map;
  }

  private static List<String> append(List<String> path, String name) {
    List<String> out = new ArrayList<>(path);
    out.add(name);
    return out;
  }

  private static Field listField(String name, boolean nullable, Field child, Map<String, String> meta) {
    return new Field(name, new FieldType(nullable, ArrowType.List.INSTANCE, null, meta), List.of(child));
  }

  private static Map<String, String> fieldIdMetadata(Type t) {
    if (t.getId() == null || t.getId().intValue() < 0) {
      return null;
    }
    Map<String, String> m = new LinkedHashMap<>();
    m.put(FIELD_ID_KEY, Integer.toString(t.getId().intValue()));
    return m;
  }

  // ---------------------------------------------------------------------------------------
  // Primitive types (Arrow C++ schema_internal.cc: GetArrowType)

  record LeafType(ArrowType type, String extension) {}

  private LeafType leafType(PrimitiveType p) {
    LogicalTypeAnnotation ann = p.getLogicalTypeAnnotation();
    if (ann instanceof LogicalTypeAnnotation.UnknownLogicalTypeAnnotation) {
      return plain(ArrowType.Null.INSTANCE);
    }
    String name = p.getName();
    switch (p.getPrimitiveTypeName()) {
      case BOOLEAN:
        return plain(ArrowType.Bool.INSTANCE);
      case INT32:
        if (ann == null) {
          return plain(new ArrowType.Int(32, true));
        } else if (ann instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i) {
          if (i.getBitWidth() == 8 || i.getBitWidth() == 16 || i.getBitWidth() == 32) {
            return plain(new ArrowType.Int(i.getBitWidth(), i.isSigned()));
          }
        } else if (ann instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
          return plain(new ArrowType.Date(DateUnit.DAY));
        } else if (ann instanceof LogicalTypeAnnotation.TimeLogicalTypeAnnotation t) {
          if (t.getUnit() == LogicalTypeAnnotation.TimeUnit.MILLIS) {
            return plain(new ArrowType.Time(TimeUnit.MILLISECOND, 32));
          }
        } else if (ann instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
          return plain(decimal(d));
        }
        throw unhandled(ann, "INT32", name);
      case INT64:
        if (ann == null) {
          return plain(new ArrowType.Int(64, true));
        } else if (ann instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i) {
          if (i.getBitWidth() == 64) {
            return plain(new ArrowType.Int(64, i.isSigned()));
          }
        } else if (ann instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
          return plain(decimal(d));
        } else if (ann instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation t) {
          return plain(new ArrowType.Timestamp(unit(t.getUnit()), t.isAdjustedToUTC() ? "UTC" : null));
        } else if (ann instanceof LogicalTypeAnnotation.TimeLogicalTypeAnnotation t) {
          if (t.getUnit() != LogicalTypeAnnotation.TimeUnit.MILLIS) {
            return plain(new ArrowType.Time(unit(t.getUnit()), 64));
          }
        }
        throw unhandled(ann, "INT64", name);
      case INT96:
        return plain(new ArrowType.Timestamp(TimeUnit.NANOSECOND, null));
      case FLOAT:
        return plain(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
      case DOUBLE:
        return plain(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
      case BINARY:
        if (ann instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation) {
          return plain(ArrowType.Utf8.INSTANCE);
        } else if (ann instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
          return plain(decimal(d));
        } else if (ann == null || ann instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
            || ann instanceof LogicalTypeAnnotation.BsonLogicalTypeAnnotation
            || ann instanceof LogicalTypeAnnotation.GeometryLogicalTypeAnnotation
            || ann instanceof LogicalTypeAnnotation.GeographyLogicalTypeAnnotation) {
          return plain(ArrowType.Binary.INSTANCE);
        } else if (ann instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation) {
          return new LeafType(ArrowType.Utf8.INSTANCE, "arrow.json");
        }
        throw unhandled(ann, "BYTE_ARRAY", name);
      case FIXED_LEN_BYTE_ARRAY:
        int len = p.getTypeLength();
        if (ann instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
          return plain(decimal(d));
        } else if (ann instanceof LogicalTypeAnnotation.Float16LogicalTypeAnnotation) {
          if (len != 2) {
            throw new IllegalArgumentException("FLOAT16 column " + name + " has length " + len + ", not 2");
          }
          return plain(new ArrowType.FloatingPoint(FloatingPointPrecision.HALF));
        } else if (ann == null || ann instanceof LogicalTypeAnnotation.IntervalLogicalTypeAnnotation) {
          return plain(fixed(len, name));
        } else if (ann instanceof LogicalTypeAnnotation.UUIDLogicalTypeAnnotation) {
          return len == 16 ? new LeafType(fixed(16, name), "arrow.uuid") : plain(fixed(len, name));
        }
        throw unhandled(ann, "FIXED_LEN_BYTE_ARRAY", name);
      default:
        throw new IllegalArgumentException("invalid physical type " + p.getPrimitiveTypeName() + " of column " + name);
    }
  }

  private static ArrowType fixed(int len, String name) {
    if (len <= 0) {
      throw new IllegalArgumentException("column " + name + " is a FIXED_LEN_BYTE_ARRAY of length " + len);
    }
    return new ArrowType.FixedSizeBinary(len);
  }

  private static LeafType plain(ArrowType t) {
    return new LeafType(t, null);
  }

  private static IllegalArgumentException unhandled(LogicalTypeAnnotation ann, String physical, String name) {
    return new IllegalArgumentException("unhandled logical type " + ann + " for " + physical + " (column " + name + ")");
  }

  private static ArrowType decimal(LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
    if (d.getPrecision() <= 0) {
      throw new IllegalArgumentException("decimal with precision " + d.getPrecision());
    }
    return new ArrowType.Decimal(d.getPrecision(), d.getScale(), d.getPrecision() <= 38 ? 128 : 256);
  }

  private static TimeUnit unit(LogicalTypeAnnotation.TimeUnit u) {
    return switch (u) {
      case MILLIS -> TimeUnit.MILLISECOND;
      case MICROS -> TimeUnit.MICROSECOND;
      case NANOS -> TimeUnit.NANOSECOND;
    };
  }

  // ---------------------------------------------------------------------------------------
  // The stored Arrow schema (Arrow C++ schema.cc: ApplyOriginalMetadata)

  static Schema originSchema(Map<String, String> kv) {
    if (kv == null) {
      return null;
    }
    String b64 = kv.get("ARROW:schema");
    if (b64 == null) {
      return null;
    }
    try {
      byte[] bytes = Base64.getDecoder().decode(b64.strip());
      return MessageSerializer.deserializeSchema(
          new ReadChannel(Channels.newChannel(new ByteArrayInputStream(bytes))));
    } catch (Exception | StackOverflowError e) {
      return null; // unreadable: ignored, as Arrow C++ falls back to the Parquet schema
    }
  }

  /** Applies an origin field (extension types included) to a column; returns nothing. */
  private static void applyOrigin(Field origin, Col col) {
    ArrowType ot = origin.getType();
    String extName = null;
    String extMeta = null;
    ArrowType storage = ot;
    Map<String, String> originMeta = origin.getMetadata() == null ? Map.of() : origin.getMetadata();
    if (ot instanceof ArrowType.ExtensionType ext) {
      extName = ext.extensionName();
      extMeta = ext.serialize();
      storage = ext.storageType();
    } else if (originMeta.containsKey(EXT_NAME)) {
      extName = originMeta.get(EXT_NAME);
      extMeta = originMeta.getOrDefault(EXT_META, "");
    }
    Field storageField = new Field(origin.getName(),
        new FieldType(origin.isNullable(), storage, null, originMeta), origin.getChildren());
    if (origin.getDictionary() != null) {
      // Arrow C++ compares the origin's type id, DICTIONARY, with the inferred type: no large_*,
      // time zone, duration or nested restoration applies (pandas categoricals of large_string
      // are read as dictionary<string>, here as string); only the field metadata is merged.
      applyMetadata(originMeta, col);
      return;
    }
    applyStorage(storageField, col);
    if (extName != null) {
      boolean compatible;
      ArrowType inferred = col.field.getType();
      if (extName.equals("arrow.json")) {
        compatible = inferred instanceof ArrowType.Utf8 || inferred instanceof ArrowType.LargeUtf8;
      } else if (extName.equals("arrow.uuid")) {
        compatible = inferred instanceof ArrowType.FixedSizeBinary f && f.getByteWidth() == 16;
      } else {
        compatible = inferred.equals(storage);
      }
      if (compatible) {
        Map<String, String> meta = new LinkedHashMap<>();
        if (col.field.getMetadata() != null) {
          meta.putAll(col.field.getMetadata());
        }
        meta.put(EXT_NAME, extName);
        meta.put(EXT_META, extMeta == null ? "" : extMeta);
        col.field = withMetadata(col.field, meta);
      }
    }
  }

  private static void applyStorage(Field origin, Col col) {
    ArrowType ot = origin.getType();
    ArrowType it = col.field.getType();
    List<Col> kids = col.children();
    if (!kids.isEmpty() && origin.getChildren().size() == kids.size()) {
      ArrowType newType = null;
      if (it instanceof ArrowType.Struct && ot instanceof ArrowType.Struct) {
        newType = ArrowType.Struct.INSTANCE;
      } else if (it instanceof ArrowType.List && col instanceof ListCol lc && lc.kind == ListCol.Kind.LIST) {
        if (ot instanceof ArrowType.List) {
          newType = ArrowType.List.INSTANCE;
        } else if (ot instanceof ArrowType.LargeList) {
          newType = ArrowType.LargeList.INSTANCE;
          lc.kind = ListCol.Kind.LARGE_LIST;
        } else if (ot instanceof ArrowType.FixedSizeList f) {
          newType = new ArrowType.FixedSizeList(f.getListSize());
          lc.kind = ListCol.Kind.FIXED_SIZE_LIST;
          lc.fixedSize = f.getListSize();
        }
      }
      if (newType != null) {
        List<Field> children = new ArrayList<>();
        for (int i = 0; i < kids.size(); i++) {
          applyOrigin(origin.getChildren().get(i), kids.get(i));
          children.add(kids.get(i).field);
        }
        col.field = new Field(col.field.getName(), new FieldType(col.field.isNullable(), newType, null,
            col.field.getMetadata()), children);
        it = newType;
      }
    }
    if (ot instanceof ArrowType.Timestamp ots && it instanceof ArrowType.Timestamp its) {
      if ("UTC".equals(its.getTimezone()) && ots.getTimezone() != null && !ots.getTimezone().isEmpty()) {
        col.field = withType(col.field, new ArrowType.Timestamp(its.getUnit(), ots.getTimezone()));
      }
    }
    if (ot instanceof ArrowType.Duration && it instanceof ArrowType.Int i && i.getBitWidth() == 64 && i.getIsSigned()) {
      col.field = withType(col.field, ot);
    }
    if ((ot instanceof ArrowType.LargeBinary && it instanceof ArrowType.Binary)
        || (ot instanceof ArrowType.LargeUtf8 && it instanceof ArrowType.Utf8)) {
      col.field = withType(col.field, ot);
    }
    if (ot instanceof ArrowType.Decimal od && od.getBitWidth() == 256 && it instanceof ArrowType.Decimal id
        && id.getBitWidth() == 128) {
      col.field = withType(col.field, ot);
    }
    applyMetadata(origin.getMetadata(), col);
  }

  private static void applyMetadata(Map<String, String> om, Col col) {
    if (om != null && !om.isEmpty()) {
      Map<String, String> merged = new LinkedHashMap<>(om);
      merged.remove(EXT_NAME);
      merged.remove(EXT_META);
      if (col.field.getMetadata() != null) {
        merged.putAll(col.field.getMetadata()); // the current keys (field id) win, as in Arrow C++
      }
      col.field = withMetadata(col.field, merged);
    }
  }

  private static Field withType(Field f, ArrowType t) {
    return new Field(f.getName(), new FieldType(f.isNullable(), t, null, f.getMetadata()), f.getChildren());
  }

  private static Field withMetadata(Field f, Map<String, String> meta) {
    return new Field(f.getName(), new FieldType(f.isNullable(), f.getType(), null, meta.isEmpty() ? null : meta),
        f.getChildren());
  }
}
