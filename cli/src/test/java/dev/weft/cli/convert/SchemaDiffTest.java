package dev.weft.cli.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/** {@link SchemaDiff} names the first difference, types written as pyarrow writes them. */
class SchemaDiffTest {
  @Test
  void namesTheColumnAndBothTypes() {
    Schema a = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)), Field.nullable("s", ArrowType.Utf8.INSTANCE)));
    Schema b = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)), Field.nullable("s", ArrowType.LargeUtf8.INSTANCE)));
    assertEquals("column 's': string against large_string", SchemaDiff.describe(a, b));
    Schema c = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)),
        new Field("s", FieldType.notNullable(ArrowType.Utf8.INSTANCE), null)));
    assertEquals("column 's': nullable against not null", SchemaDiff.describe(a, c));
  }
}
