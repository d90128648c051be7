package dev.weft.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** XXH64, the split-block bloom filter and the predicate parser. */
class IndexStructuresTest {
  private static long h(String s) {
    return XxHash64.hash(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void xxhash64KnownValues() {
    assertEquals(0xEF46DB3751D8E999L, h(""));
    assertEquals(0xD24EC4F1A98C6E5BL, h("a"));
    assertEquals(0x44BC2CF5AD770999L, h("abc"));
    assertEquals(0xFBCEA83C8A378BF1L, h("Nobody inspects the spammish repetition"));
  }

  @Test
  void bloomFilterHasNoFalseNegativesAndAboutItsFalsePositiveRate() {
    int n = 20_000;
    double fpp = 0.01;
    SplitBlockBloomFilter f = new SplitBlockBloomFilter(SplitBlockBloomFilter.blocksFor(n, fpp));
    Random rnd = new Random(1);
    long[] in = new long[n];
    for (int i = 0; i < n; i++) {
      in[i] = rnd.nextLong();
      f.insert(StatKind.INT64.hash(in[i]));
    }
    for (long v : in) {
      assertTrue(f.mightContain(StatKind.INT64.hash(v)));
    }
    int fp = 0;
    int trials = 100_000;
    for (int i = 0; i < trials; i++) {
      if (f.mightContain(StatKind.INT64.hash(rnd.nextLong()))) {
        fp++;
      }
    }
    assertTrue(fp < trials * fpp * 1.5, "false positives " + fp + " of " + trials);
    assertEquals(0, SplitBlockBloomFilter.blocksFor(0, fpp));
    assertTrue(!new SplitBlockBloomFilter(0).mightContain(1));
  }

  @Test
  void parsesTheIssueExampleAndPrintsItBack() {
    Expr e = PredicateParser.parse("label = 1 AND price >= 3.5 AND city IN ('NYC','SFO')");
    assertEquals("((label = 1 AND price >= 3.5) AND city IN ('NYC', 'SFO'))", e.toString());
    assertEquals(e.toString(), PredicateParser.parse(e.toString()).toString());
    Expr d = PredicateParser.parse("not (d >= DATE '2024-01-31' or \"a b\" is not null) and x <> -2e3 AND f");
    assertEquals("(NOT ((d >= DATE '2024-01-31' OR \"a b\" IS NOT NULL)) AND x != -2000.0) AND f = TRUE",
        d.toString().substring(1, d.toString().length() - 1).replace(") AND f = TRUE", ") AND f = TRUE"));
    assertEquals(LocalDate.of(2024, 1, 31), ((Expr.Literal) ((Expr.Compare) ((Expr.Or) ((Expr.Not) ((Expr.And) ((Expr.And) d)
        .left()).left()).operand()).left()).right()).value());
    assertEquals("s = 'it''s'", PredicateParser.parse("s = 'it''s'").toString());
    assertEquals("x NOT IN (1, NULL)", PredicateParser.parse("x not in (1, null)").toString());
  }

  @Test
  void parseErrorsSayWhereAndWhatWasExpected() {
    PredicateParseException e = assertThrows(PredicateParseException.class, () -> PredicateParser.parse("a = 1 AND"));
    assertEquals(9, e.position());
    assertEquals("invalid predicate at position 9 (at the end): expected a column or a value, found the end",
        e.getMessage());
    e = assertThrows(PredicateParseException.class, () -> PredicateParser.parse("a == 'x"));
    assertEquals(5, e.position());
    assertTrue(e.getMessage().contains("unterminated string"), e.getMessage());
    e = assertThrows(PredicateParseException.class, () -> PredicateParser.parse("a IN (1, b)"));
    assertTrue(e.getMessage().contains("IN lists hold values only"), e.getMessage());
    e = assertThrows(PredicateParseException.class, () -> PredicateParser.parse("a foo 3"));
    assertEquals(2, e.position());
    assertTrue(e.getMessage().contains("expected a comparison operator"), e.getMessage());
    e = assertThrows(PredicateParseException.class, () -> PredicateParser.parse("(a = 1"));
    assertTrue(e.getMessage().contains("expected ')'"), e.getMessage());
    e = assertThrows(PredicateParseException.class, () -> PredicateParser.parse("d = DATE '2024-13-01'"));
    assertTrue(e.getMessage().contains("not a valid date"), e.getMessage());
    e = assertThrows(PredicateParseException.class, () -> PredicateParser.parse("a IS 3"));
    assertTrue(e.getMessage().contains("expected NULL or NOT NULL after IS"), e.getMessage());
    e = assertThrows(PredicateParseException.class, () -> PredicateParser.parse("1 AND a = 2"));
    assertEquals(0, e.position());
    e = assertThrows(PredicateParseException.class, () -> PredicateParser.parse(""));
    assertTrue(e.getMessage().contains("expected a predicate"), e.getMessage());
  }
}
