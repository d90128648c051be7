package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link ColumnNames}: --columns entries for names with blanks, commas and quotes. */
class ColumnNamesTest {
  private static final List<String> NAMES = List.of("a b", " lead", "e,f", "quote\"d", "", "Case", "plain");

  private static String resolve(String raw) {
    return ColumnNames.resolve(raw, NAMES::contains);
  }

  @Test
  void entriesFindTheirColumns() {
    assertEquals("plain", resolve("plain"));
    assertEquals("plain", resolve(" plain "), "blanks around an entry are dropped");
    assertEquals(" lead", resolve(" lead"), "unless a column has exactly that name");
    assertEquals("e,f", resolve("\"e,f\""), "a name with a comma is given in double quotes");
    assertEquals("quote\"d", resolve("\"quote\"\"d\""), "\"\" in quotes is one quote");
    assertEquals("quote\"d", resolve("quote\"d"));
    assertEquals("nope", resolve(" nope"), "an unknown entry is returned for the error message");
    assertEquals("", resolve("\"\""));
  }

  @Test
  void listsQuoteAmbiguousNamesAndStopAtTwelve() {
    assertEquals("7 columns: 'a b', ' lead', 'e,f', 'quote\"d', '', Case, plain", ColumnNames.list(NAMES));
    List<String> many = IntStream.range(0, 20).mapToObj(i -> "c" + i).toList();
    assertEquals("20 columns: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, ... 8 more", ColumnNames.list(many));
    assertEquals("1 column: x", ColumnNames.list(List.of("x")));
    assertEquals("Case", ColumnNames.caseVariant("case", NAMES));
    assertNull(ColumnNames.caseVariant("other", NAMES));
  }
}
