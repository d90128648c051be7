package dev.weft.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.cli.CliRun;
import dev.weft.cli.CliRun.Result;
import dev.weft.cli.Fixtures;
import dev.weft.format.PageMeta;
import dev.weft.reader.WeftReader;
import dev.weft.testdata.RandomArrow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code weft inspect}: text, --json and --check, on good and corrupt files. */
class InspectCommandTest {
  @TempDir static Path dir;
  static Path known;
  static Path all;

  @BeforeAll
  static void writeFiles() throws IOException {
    known = Fixtures.knownFile(dir);
    all = Fixtures.randomFile(dir, "all.weft", RandomArrow.allTypesSchema(), 600, RandomArrow.Options.defaults());
  }

  private static Result run(String... args) {
    return CliRun.run(args);
  }

  @Test
  void textDescribesTheFile() {
    Result r = run("inspect", known.toString());
    assertEquals(0, r.rc(), r::all);
    assertEquals("", r.err());
    String out = r.out();
    for (String line : List.of(
        "file            " + known,
        "format version  " + dev.weft.format.WeftFormat.VERSION_MAJOR_CURRENT + "." + dev.weft.format.WeftFormat.VERSION_MINOR_CURRENT,
        "created by      weft cli tests",
        "rows            4",
        "columns         10",
        "row groups      1 (4 rows each)",
        "checksums       metadata verified (header, footer, directory, schema, 10 column blocks, ",
        "  id: int64 not null",
        "  tags: list<item: int32>",
        "  s: struct<a: int32, b: string>",
        "  m: map<string, int64>",
        "  ts: timestamp[us, tz=UTC]",
        "data blocks not read (--check reads them)")) {
      assertTrue(out.contains(line), () -> "missing '" + line + "'\n" + r.all());
    }
    // one row per column, nested columns followed by their nodes
    assertTrue(out.matches("(?s).*\n  m +map<string, int64> +\\d+ +\\d+ .*"), r::all);
    assertTrue(out.contains("    m.entries.key "), r::all);
    assertTrue(out.contains("    tags.item "), r::all);
  }

  @Test
  void jsonIsOneObjectWithEveryColumn() throws IOException {
    Result r = run("inspect", all.toString(), "--json");
    assertEquals(0, r.rc(), r::all);
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertEquals(all.toString(), j.get("file").asText());
    assertEquals(Files.size(all), j.get("size_bytes").asLong());
    assertEquals(dev.weft.format.WeftFormat.VERSION_MAJOR_CURRENT + "." + dev.weft.format.WeftFormat.VERSION_MINOR_CURRENT, j.get("format_version").asText());
    assertEquals(600, j.get("rows").asLong());
    int columns = RandomArrow.allTypesSchema().getFields().size();
    assertEquals(columns, j.get("num_columns").asInt());
    assertEquals(columns, j.get("schema").size());
    assertEquals(columns, j.get("columns").size());
    assertEquals(3, j.get("row_groups").size());
    long stored = 0;
    long blocks = 0;
    for (JsonNode c : j.get("columns")) {
      stored += c.get("stored_bytes").asLong();
      blocks += c.get("blocks").asLong();
      long codecBlocks = 0;
      for (JsonNode n : c.get("codecs")) {
        codecBlocks += n.asLong();
      }
      assertEquals(c.get("blocks").asLong(), codecBlocks, c::toString);
      assertEquals(c.get("num_nodes").asInt(), c.get("nodes").size());
      assertEquals(c.get("name").asText(), c.get("nodes").get(0).get("path").asText());
    }
    assertEquals(stored, j.get("totals").get("stored_bytes").asLong());
    assertEquals(blocks, j.get("totals").get("blocks").asLong());
    assertTrue(stored > 0 && stored < Files.size(all));
    JsonNode listStruct = j.get("columns").get(RandomArrow.allTypesSchema().getFields().indexOf(
        RandomArrow.allTypesSchema().findField("list_struct")));
    assertEquals("list<item: struct<x: int16, y: list<item: binary>>>", listStruct.get("type").asText());
    assertEquals("list_struct.item.y.item", listStruct.get("nodes").get(4).get("path").asText());
    assertEquals("not read", j.get("checksums").get("data").asText());
    assertFalse(j.has("check"));
  }

  @Test
  void checkReadsEveryBlock() throws IOException {
    Result r = run("inspect", all.toString(), "--check");
    assertEquals(0, r.rc(), r::all);
    assertTrue(r.out().contains("check           OK: "), r::all);
    Result j = run("inspect", all.toString(), "--check", "--json");
    JsonNode node = new ObjectMapper().readTree(j.out());
    assertEquals("ok", node.get("check").get("status").asText());
    assertEquals(node.get("totals").get("blocks").asLong(), node.get("check").get("blocks_verified").asLong());
    assertEquals("verified", node.get("checksums").get("data").asText());
  }

  @Test
  void checkFindsACorruptBlock() throws IOException {
    Path bad = dir.resolve("corrupt-block.weft");
    Files.copy(known, bad);
    long offset;
    try (WeftReader r = WeftReader.open(known)) {
      int name = r.columnIndex("name");
      PageMeta page = r.columnMeta(name).pagesPerNode().get(0).get(0);
      offset = page.offset() + 2; // inside the first mini-block of column 'name'
    }
    byte[] bytes = Files.readAllBytes(bad);
    bytes[(int) offset] ^= 0x10;
    Files.write(bad, bytes);

    // metadata is intact: plain inspect works
    assertEquals(0, run("inspect", bad.toString()).rc());
    Result r = run("inspect", bad.toString(), "--check");
    assertEquals(1, r.rc(), r::all);
    assertTrue(r.out().contains("check           FAILED: 1 of 10 columns are corrupt"), r::all);
    assertEquals(1, r.err().lines().count(), r::all);
    assertTrue(r.err().startsWith("weft inspect: corrupt Weft file " + bad.toAbsolutePath() + ", column 'name'"), r::all);
    JsonNode j = new ObjectMapper().readTree(run("inspect", bad.toString(), "--check", "--json").out());
    assertEquals("corrupt", j.get("check").get("status").asText());
    assertEquals("name", j.get("check").get("errors").get(0).get("column").asText());

    // reading the column fails with one line and exit code 2; other columns still read
    Result cat = run("cat", bad.toString());
    assertEquals(2, cat.rc(), cat::all);
    assertEquals(1, cat.err().lines().count(), cat::all);
    assertTrue(cat.err().contains("mini-block checksum mismatch"), cat::all);
    assertEquals(0, run("cat", bad.toString(), "--columns", "id,tags").rc());
  }
}
