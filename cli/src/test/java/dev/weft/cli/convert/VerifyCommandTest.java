package dev.weft.cli.convert;

import static dev.weft.cli.convert.TestFiles.data;
import static dev.weft.cli.convert.TestFiles.weft;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.cli.convert.TestFiles.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code weft verify}: OK and exit 0, the first mismatches and exit 1, bad input and exit 2. */
class VerifyCommandTest {
  @Test
  void equalFilesAreOk(@TempDir Path tmp) {
    Path src = data("parquet-testing/data/nested_maps.snappy.parquet");
    Path out = tmp.resolve("m.weft");
    assertEquals(0, weft("convert", src, "-o", out, "-q").rc());
    Run v = weft("verify", src, out);
    assertEquals(0, v.rc(), v::all);
    assertEquals("OK: 6 rows, 3 columns equal (" + src + ", " + out + ")\n", v.out());
  }

  @Test
  void mismatchesNameTheRowTheColumnAndBothValues(@TempDir Path tmp) {
    Path dict = data("parquet-testing/data/alltypes_dictionary.parquet"); // ids 0, 1
    Path snappy = data("parquet-testing/data/alltypes_plain.snappy.parquet"); // ids 6, 7, same schema
    Path out = tmp.resolve("d.weft");
    assertEquals(0, weft("convert", dict, "-o", out, "-q").rc());
    Run v = weft("verify", snappy, out, "--max-mismatches", "3");
    assertEquals(1, v.rc(), v::all);
    String[] lines = v.out().split("\n");
    assertEquals("MISMATCH row 0, column id: id differs (parquet: 6, weft: 0)", lines[0], v::all);
    assertEquals(4, lines.length, v::all);
    assertTrue(lines[3].matches("[0-9,]+ mismatches, the first 3 shown \\(.*\\)"), v::all);

    Path few = tmp.resolve("few.weft");
    assertEquals(0, weft("convert", dict, "-o", few, "--columns", "id", "-q").rc());
    Run m = weft("verify", dict, few);
    assertEquals(1, m.rc(), m::all);
    assertTrue(m.out().contains("MISMATCH bool_col: missing in " + few), m::all);

    Run rows = weft("verify", data("parquet-testing/data/alltypes_plain.parquet"), out, "--columns", "id");
    assertEquals(1, rows.rc(), rows::all);
    assertTrue(rows.out().contains("has 8 rows, " + out + " has 2"), rows::all);
  }

  @Test
  void missingOrCorruptFilesAreExitStatusTwo(@TempDir Path tmp) throws Exception {
    Path src = data("parquet-testing/data/alltypes_plain.parquet");
    Run v = weft("verify", src, tmp.resolve("nope.weft"));
    assertEquals(2, v.rc(), v::all);
    assertTrue(v.err().startsWith("weft verify: ") && v.err().contains("nope.weft"), v::all);
    Path junk = tmp.resolve("junk.weft");
    Files.write(junk, "not a weft file at all, not at all".getBytes(StandardCharsets.UTF_8));
    Run j = weft("verify", src, junk);
    assertEquals(2, j.rc(), j::all);
    assertEquals(1, j.err().strip().split("\n").length, j::all);

    // a Parquet file where the Weft file belongs, and the two swapped: said plainly
    Run p = weft("verify", src, src);
    assertEquals(2, p.rc(), p::all);
    assertEquals("weft verify: " + src + ": is a Parquet file, not a Weft file (convert it first: weft convert "
        + src + " -o OUT.weft)", p.err().strip(), p::all);
    Path out = tmp.resolve("p.weft");
    assertEquals(0, weft("convert", src, "-o", out, "-q").rc());
    Run s = weft("verify", out, src);
    assertEquals(2, s.rc(), s::all);
    assertEquals("weft verify: " + out + ": is a Weft file; the Parquet file comes first: weft verify SRC.parquet"
        + " DEST.weft", s.err().strip(), s::all);
  }

  @Test
  void nestedDifferencesArePinpointed() {
    try (BufferAllocator a = new RootAllocator();
         ListVector x = ListVector.empty("l", a);
         ListVector y = ListVector.empty("l", a)) {
      for (ListVector v : List.of(x, y)) {
        UnionListWriter w = v.getWriter();
        w.startList();
        w.bigInt().writeBigInt(1);
        w.bigInt().writeBigInt(v == x ? 2 : 3);
        w.endList();
        w.setValueCount(1);
      }
      assertEquals("l[1] differs", ValueDiff.diff(x, 0, y, 0, "l"));
      assertNull(ValueDiff.diff(x, 0, x, 0, "l"));
      assertEquals("[1, 2]", ValueDiff.format(x, 0));
    }
    try (BufferAllocator a = new RootAllocator();
         StructVector s = StructVector.empty("s", a);
         StructVector t = StructVector.empty("s", a)) {
      for (StructVector v : List.of(s, t)) {
        VarCharVector name = v.addOrGet("name", org.apache.arrow.vector.types.pojo.FieldType.nullable(
            org.apache.arrow.vector.types.pojo.ArrowType.Utf8.INSTANCE), VarCharVector.class);
        BigIntVector n = v.addOrGet("n", org.apache.arrow.vector.types.pojo.FieldType.nullable(
            new org.apache.arrow.vector.types.pojo.ArrowType.Int(64, true)), BigIntVector.class);
        name.setSafe(0, "ab".getBytes(StandardCharsets.UTF_8));
        if (v == s) {
          n.setSafe(0, 5);
        } else {
          n.setNull(0);
        }
        v.setIndexDefined(0);
        v.setValueCount(1);
      }
      assertEquals("s.n is not null against null", ValueDiff.diff(s, 0, t, 0, "s"));
      assertEquals("{name: \"ab\", n: null}", ValueDiff.format(t, 0));
    }
  }
}
