package dev.weft.testdata.gen;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A seeded text table of realistic lengths: {@code id} int64; {@code title} utf8 (3-14 words, 2%
 * null); {@code body} utf8 (log-normal word count, median about 90 words, i.e. about 550 bytes,
 * capped at 4,000 words); {@code lang} utf8 (20 codes, skewed); {@code tags} list&lt;utf8&gt; of
 * 0-5 tags out of 500; {@code score} float32. Words follow a Zipf-like law over a 30,000-word
 * synthetic vocabulary (pronounceable syllable strings of 1-12 letters). Batch {@code b} is a pure
 * function of {@code (seed, batchRows, b)}.
 */
public final class TextGenerator implements TableGenerator {
  private static final String[] LANGS = {
    "en", "en", "en", "en", "en", "en", "de", "fr", "es", "es", "pt", "it", "nl", "pl", "ru", "ja", "zh",
    "ko", "sv", "tr"};
  private static final int VOCAB = 30_000;
  private static final byte[][] WORDS = vocabulary();
  private static final byte[][] TAGS = tags();
  private static final Schema SCHEMA = new Schema(List.of(
      new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null),
      new Field("title", FieldType.nullable(ArrowType.Utf8.INSTANCE), null),
      new Field("body", FieldType.notNullable(ArrowType.Utf8.INSTANCE), null),
      new Field("lang", FieldType.notNullable(ArrowType.Utf8.INSTANCE), null),
      new Field("tags", FieldType.notNullable(ArrowType.List.INSTANCE),
          List.of(new Field("item", FieldType.notNullable(ArrowType.Utf8.INSTANCE), null))),
      new Field("score", FieldType.notNullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)), null)));

  private final long rows;
  private final long seed;
  private final int batchRows;

  public TextGenerator(long rows, long seed, int batchRows) {
    if (rows < 0 || batchRows < 1) {
      throw new IllegalArgumentException("need rows >= 0 and batch rows >= 1");
    }
    this.rows = rows;
    this.seed = seed;
    this.batchRows = batchRows;
  }

  private static byte[][] vocabulary() {
    String[] syl = {"ka", "ro", "mi", "ten", "sa", "lo", "ve", "an", "di", "us", "or", "el", "pa", "ti", "ne",
      "ga", "bu", "re", "st", "th", "in", "er", "on", "al", "qu", "is", "ch", "ma", "de", "co"};
    SplittableRandom rnd = new SplittableRandom(20240601L);
    byte[][] out = new byte[VOCAB][];
    for (int i = 0; i < VOCAB; i++) {
      // frequent words are short: length grows with the rank
      int parts = 1 + Math.min(5, (int) (Math.log10(i + 2) + rnd.nextInt(2)));
      StringBuilder sb = new StringBuilder();
      for (int p = 0; p < parts; p++) {
        sb.append(syl[rnd.nextInt(syl.length)]);
      }
      out[i] = sb.toString().getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  private static byte[][] tags() {
    byte[][] out = new byte[500][];
    for (int i = 0; i < out.length; i++) {
      out[i] = ("tag-" + new String(WORDS[i * 7 % VOCAB], StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  @Override
  public Schema schema() {
    return SCHEMA;
  }

  @Override
  public long rows() {
    return rows;
  }

  @Override
  public int batchRows() {
    return batchRows;
  }

  @Override
  public VectorSchemaRoot newRoot(BufferAllocator allocator) {
    return VectorSchemaRoot.create(SCHEMA, allocator);
  }

  /** A Zipf-like word rank in [0, VOCAB): inverse CDF of x^-1.05 on [1, VOCAB + 1). */
  private static int word(SplittableRandom rnd) {
    double s = 1.05;
    double a = Math.pow(VOCAB + 1.0, 1 - s) - 1;
    double x = Math.pow(rnd.nextDouble() * a + 1, 1 / (1 - s));
    return (int) Math.min(VOCAB - 1, Math.max(0, (long) x - 1));
  }

  private static byte[] sentence(SplittableRandom rnd, int words, StringBuilder sb, boolean capitalize) {
    sb.setLength(0);
    for (int w = 0; w < words; w++) {
      String word = new String(WORDS[word(rnd)], StandardCharsets.UTF_8);
      if (w > 0) {
        sb.append(rnd.nextInt(14) == 0 ? ". " : rnd.nextInt(10) == 0 ? ", " : " ");
      }
      if (capitalize && (w == 0 || sb.charAt(sb.length() - 2) == '.')) {
        word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
      }
      sb.append(word);
    }
    if (capitalize) {
      sb.append('.');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void fill(VectorSchemaRoot root, int batch) {
    int n = (int) Math.min(batchRows, rows - (long) batch * batchRows);
    SplittableRandom rnd = new SplittableRandom(Mix.mix64(seed ^ Mix.mix64(batch + 0x7E47L)));
    root.clear();
    BigIntVector id = (BigIntVector) root.getVector("id");
    VarCharVector title = (VarCharVector) root.getVector("title");
    VarCharVector body = (VarCharVector) root.getVector("body");
    VarCharVector lang = (VarCharVector) root.getVector("lang");
    ListVector tags = (ListVector) root.getVector("tags");
    Float4Vector score = (Float4Vector) root.getVector("score");
    id.allocateNew(n);
    title.allocateNew(n * 60L, n);
    body.allocateNew(n * 600L, n);
    lang.allocateNew(n * 2L, n);
    tags.allocateNew();
    score.allocateNew(n);
    VarCharVector tagValues = (VarCharVector) tags.getDataVector();
    StringBuilder sb = new StringBuilder();
    long first = (long) batch * batchRows;
    for (int r = 0; r < n; r++) {
      id.set(r, first + r);
      if (rnd.nextInt(50) == 0) {
        title.setNull(r);
      } else {
        title.setSafe(r, sentence(rnd, 3 + rnd.nextInt(12), sb, false));
      }
      int words = (int) Math.min(4000, Math.max(1, Math.exp(4.5 + 0.8 * rnd.nextGaussian())));
      body.setSafe(r, sentence(rnd, words, sb, true));
      double u = rnd.nextDouble();
      lang.setSafe(r, LANGS[(int) (u * u * LANGS.length)].getBytes(StandardCharsets.UTF_8));
      int k = rnd.nextInt(6);
      int start = tags.startNewValue(r);
      for (int t = 0; t < k; t++) {
        tagValues.setSafe(start + t, TAGS[(int) (Math.pow(rnd.nextDouble(), 2) * TAGS.length)]);
      }
      tags.endValue(r, k);
      score.set(r, (float) (Math.round(rnd.nextDouble() * 5000) / 1000.0));
    }
    id.setValueCount(n);
    title.setValueCount(n);
    body.setValueCount(n);
    lang.setValueCount(n);
    tags.setValueCount(n);
    score.setValueCount(n);
    root.setRowCount(n);
  }
}
