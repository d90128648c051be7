package dev.weft.reader;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Seeded columns shaped so that the writer's selector picks each encoding of format 2.0 (and
 * the adversarial values each must survive: type extremes, NaN, -0.0, subnormals, infinities,
 * empty strings, all-null and alternating-null columns). Only types Arrow's JSON format can
 * express, so the golden generator can use them. {@link #EXPECTED} says which encoding each
 * column is meant to exercise, as {@link EncodingStats#encoding()} names it (the columns with
 * alternating nulls and null runs exist for their validity and may pick any value encoding).
 */
public final class EncodingColumns {
  private EncodingColumns() {}

  private static Field f(String name, ArrowType type) {
    return Field.nullable(name, type);
  }

  /** Column name to the encoding (of its first node) it exists to exercise. */
  public static final Map<String, String> EXPECTED = Map.ofEntries(
      Map.entry("enc_const_i32", "CONSTANT"),
      Map.entry("enc_for_i64", "FOR"),
      Map.entry("enc_minutes_ts", "FOR"),
      Map.entry("enc_outliers_i32", "FOR"),
      Map.entry("enc_sorted_i64", "DELTA"),
      Map.entry("enc_runs_i16", "RLE"),
      Map.entry("enc_lowcard_i64", "DICTIONARY"),
      Map.entry("enc_extremes_i64", "DICTIONARY"),
      Map.entry("enc_smooth_f64", "BYTE_STREAM_SPLIT"),
      Map.entry("enc_prices_f64", "ALP"),
      Map.entry("enc_ratios_f32", "ALP"),
      Map.entry("enc_lowcard_f32", "DICTIONARY"),
      Map.entry("enc_codes_utf8", "STRING_DICTIONARY"),
      Map.entry("enc_fixed3_utf8", "STRING_PLAIN"),
      Map.entry("enc_runs_bool", "BOOL_RUNS"),
      Map.entry("enc_all_null_i64", "CONSTANT"),
      Map.entry("enc_pairs_list", "LENGTHS_CONSTANT"),
      Map.entry("enc_struct_nulls", "VALIDITY_RUNS"),
      Map.entry("enc_days_date", "RLE"),
      Map.entry("enc_random_i64", "PLAIN"),
      Map.entry("enc_words_utf8", "STRING_FSST"),
      Map.entry("enc_image_fsb", "PAETH"),
      Map.entry("enc_stripes_fsb", "UP"),
      Map.entry("enc_sprite_fsb", "SPAN_FOLD")); // SPAN with WriterOptions.foldedSpans(false): SpanImagesTest

  /** Encodings that need a compression codec to be chosen. */
  public static final Set<String> NEEDS_CODEC = Set.of("BYTE_STREAM_SPLIT", "PAETH", "UP", "SPAN", "SPAN_FOLD");

  /**
   * Encodings that zstd makes lose: FSST of text is smaller than the text, and LZ4 on it smaller
   * than LZ4 on the text, but zstd's own entropy coding of the text usually wins.
   */
  public static final Set<String> NOT_WITH_ZSTD = Set.of("STRING_FSST");

  public static Schema schema() {
    List<Field> fields = new ArrayList<>();
    fields.add(f("enc_const_i32", new ArrowType.Int(32, true)));
    fields.add(f("enc_for_i64", new ArrowType.Int(64, true)));
    fields.add(f("enc_minutes_ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)));
    fields.add(f("enc_outliers_i32", new ArrowType.Int(32, true)));
    fields.add(f("enc_sorted_i64", new ArrowType.Int(64, true)));
    fields.add(f("enc_runs_i16", new ArrowType.Int(16, true)));
    fields.add(f("enc_lowcard_i64", new ArrowType.Int(64, true)));
    fields.add(f("enc_extremes_i64", new ArrowType.Int(64, true)));
    fields.add(f("enc_smooth_f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)));
    fields.add(f("enc_lowcard_f32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)));
    fields.add(f("enc_prices_f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)));
    fields.add(f("enc_ratios_f32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)));
    fields.add(f("enc_codes_utf8", ArrowType.Utf8.INSTANCE));
    fields.add(f("enc_fixed3_utf8", ArrowType.Utf8.INSTANCE));
    fields.add(f("enc_runs_bool", ArrowType.Bool.INSTANCE));
    fields.add(f("enc_null_runs_i32", new ArrowType.Int(32, true)));
    fields.add(f("enc_all_null_i64", new ArrowType.Int(64, true)));
    fields.add(f("enc_alt_null_i8", new ArrowType.Int(8, true)));
    fields.add(new Field("enc_pairs_list", FieldType.nullable(ArrowType.List.INSTANCE),
        List.of(f("item", new ArrowType.Int(32, true)))));
    fields.add(new Field("enc_struct_nulls", FieldType.nullable(ArrowType.Struct.INSTANCE),
        List.of(f("a", new ArrowType.Int(8, true)))));
    fields.add(f("enc_days_date", new ArrowType.Date(DateUnit.DAY)));
    fields.add(f("enc_random_i64", new ArrowType.Int(64, true)));
    fields.add(f("enc_words_utf8", ArrowType.Utf8.INSTANCE));
    fields.add(f("enc_image_fsb", new ArrowType.FixedSizeBinary(64)));
    fields.add(f("enc_stripes_fsb", new ArrowType.FixedSizeBinary(64)));
    fields.add(f("enc_sprite_fsb", new ArrowType.FixedSizeBinary(64)));
    return new Schema(fields);
  }

  private static final float[] FLOATS = {0.5f, 1.25f, Float.NaN, -0.0f, 0.0f, Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MAX_VALUE};
  private static final long[] EXTREMES = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, 1};
  /** Tokens of the FSST column: random sequences of them compress to about one byte per token. */
  private static final String[] WORDS = {"alpha ", "bravo ", "charlie ", "delta ", "echo ", "foxtrot ",
      "golf ", "hotel ", "india ", "juliett ", "kilo ", "lima ", "mike ", "november ", "oscar ", "papa "};
  private static final String[] CODES = {"ATL", "ORD", "LAX", "", "SFO", "J\u00f6nk\u00f6ping"};

  /** {@code rows} rows of {@link #schema()} from {@code seed}; the caller closes the root. */
  public static VectorSchemaRoot generate(int rows, long seed, BufferAllocator allocator) {
    Random rnd = new Random(seed);
    VectorSchemaRoot root = VectorSchemaRoot.create(schema(), allocator);
    try {
      root.allocateNew();
      long[] lowcard = new long[5];
      for (int k = 0; k < lowcard.length; k++) {
        lowcard[k] = rnd.nextLong();
      }
      long sorted = 1_000_000_000_000_000L;
      short run = 0;
      boolean boolRun = false;
      for (int i = 0; i < rows; i++) {
        ((IntVector) v(root, "enc_const_i32")).setSafe(i, 42);
        ((BigIntVector) v(root, "enc_for_i64")).setSafe(i, 1_000_000_000_000L + rnd.nextInt(1000));
        ((TimeStampMicroVector) v(root, "enc_minutes_ts")).setSafe(i,
            978_307_260_000_000L + 60_000_000L * (i / 3 + rnd.nextInt(7)));
        ((IntVector) v(root, "enc_outliers_i32")).setSafe(i, rnd.nextInt(200) == 0
            ? (rnd.nextBoolean() ? Integer.MAX_VALUE : Integer.MIN_VALUE) : rnd.nextInt(100));
        sorted += 1 + rnd.nextInt(5);
        ((BigIntVector) v(root, "enc_sorted_i64")).setSafe(i, sorted);
        if (i % 25 == 0) {
          run = (short) (rnd.nextInt(3) == 0 ? Short.MIN_VALUE + rnd.nextInt(3) : rnd.nextInt());
        }
        ((SmallIntVector) v(root, "enc_runs_i16")).setSafe(i, run);
        ((BigIntVector) v(root, "enc_lowcard_i64")).setSafe(i, lowcard[rnd.nextInt(lowcard.length)]);
        ((BigIntVector) v(root, "enc_extremes_i64")).setSafe(i, EXTREMES[rnd.nextInt(EXTREMES.length)]);
        ((Float8Vector) v(root, "enc_smooth_f64")).setSafe(i, 20.0 + Math.sin(i / 40.0) * 5 + rnd.nextInt(100) / 100.0);
        ((Float4Vector) v(root, "enc_lowcard_f32")).setSafe(i, FLOATS[rnd.nextInt(FLOATS.length)]);
        Float8Vector prices = (Float8Vector) v(root, "enc_prices_f64");
        if (i % 101 == 50) {
          prices.setNull(i);
        } else {
          prices.setSafe(i, i % 89 == 0 ? (i % 2 == 0 ? -0.0 : Double.NaN) : (rnd.nextInt(2_000_000) - 500_000) / 100.0);
        }
        ((Float4Vector) v(root, "enc_ratios_f32")).setSafe(i, rnd.nextInt(1001) / 1000.0f);
        VarCharVector codes = (VarCharVector) v(root, "enc_codes_utf8");
        if (rnd.nextInt(10) == 0) {
          codes.setNull(i);
        } else {
          codes.setSafe(i, CODES[rnd.nextInt(CODES.length)].getBytes(StandardCharsets.UTF_8));
        }
        // printable ASCII: too many distinct pairs for FSST symbols to pay, so PLAIN stays smallest
        byte[] three = {(byte) ('!' + rnd.nextInt(94)), (byte) ('!' + rnd.nextInt(94)), (byte) ('!' + rnd.nextInt(94))};
        ((VarCharVector) v(root, "enc_fixed3_utf8")).setSafe(i, three);
        if (i % 30 == 0) {
          boolRun = !boolRun;
        }
        ((BitVector) v(root, "enc_runs_bool")).setSafe(i, boolRun ? 1 : 0);
        IntVector nullRuns = (IntVector) v(root, "enc_null_runs_i32");
        if ((i / 40) % 2 == 1) {
          nullRuns.setNull(i);
        } else {
          nullRuns.setSafe(i, rnd.nextInt(1000));
        }
        ((BigIntVector) v(root, "enc_all_null_i64")).setNull(i);
        TinyIntVector alt = (TinyIntVector) v(root, "enc_alt_null_i8");
        if (i % 2 == 1) {
          alt.setNull(i);
        } else {
          alt.setSafe(i, (byte) (i % 3 == 0 ? Byte.MIN_VALUE : Byte.MAX_VALUE - rnd.nextInt(4)));
        }
        StructVector st = (StructVector) v(root, "enc_struct_nulls");
        TinyIntVector a = (TinyIntVector) st.getChild("a");
        if ((i / 50) % 3 == 2) {
          st.setNull(i);
          a.setNull(i);
        } else {
          st.setIndexDefined(i);
          a.setSafe(i, (byte) rnd.nextInt(8));
        }
        ((DateDayVector) v(root, "enc_days_date")).setSafe(i, 11_000 + i / 100);
        ((BigIntVector) v(root, "enc_random_i64")).setSafe(i, rnd.nextLong());
        StringBuilder words = new StringBuilder();
        for (int k = 3 + rnd.nextInt(6); k > 0; k--) {
          words.append(WORDS[rnd.nextInt(WORDS.length)]);
        }
        ((VarCharVector) v(root, "enc_words_utf8")).setSafe(i, words.toString().getBytes(StandardCharsets.UTF_8));
        // an 8x8 image: a horizontal gradient whose slope and offset vary per row and image, an
        // offset per image row (Paeth predicts it exactly, the row above does not: PAETH stays
        // chosen over UP, also with LZ4), and a little noise
        byte[] image = new byte[64];
        int dx = rnd.nextInt(9);
        int base = rnd.nextInt(64);
        for (int y = 0; y < 8; y++) {
          int rowOffset = rnd.nextInt(32);
          for (int x = 0; x < 8; x++) {
            image[8 * y + x] = (byte) (base + dx * x + rowOffset + (rnd.nextInt(32) == 0 ? 1 : 0));
          }
        }
        ((FixedSizeBinaryVector) v(root, "enc_image_fsb")).setSafe(i, image);
        // an 8x8 image of vertical stripes (each row repeats the first, a pixel in 8 one brighter):
        // the row above predicts as well as Paeth, so UP (format 4.0) is kept
        byte[] stripes = new byte[64];
        for (int x = 0; x < 8; x++) {
          stripes[x] = (byte) rnd.nextInt(256);
        }
        for (int y = 1; y < 8; y++) {
          for (int x = 0; x < 8; x++) {
            stripes[8 * y + x] = (byte) (stripes[x] + (rnd.nextInt(8) == 0 ? 1 : 0));
          }
        }
        ((FixedSizeBinaryVector) v(root, "enc_stripes_fsb")).setSafe(i, stripes);
        // an 8x8 sprite on a zero background (format 5.0): a block of noise of random size and
        // place, so that the zero bytes around it make up about half of each image: SPAN (or,
        // with WriterOptions.foldedSpans, 6.0's SPAN_FOLD) is kept
        byte[] sprite = new byte[64];
        int x0 = rnd.nextInt(3);
        int y0 = rnd.nextInt(3);
        int sw = 3 + rnd.nextInt(4);
        int sh = 3 + rnd.nextInt(4);
        for (int y = y0; y < Math.min(8, y0 + sh); y++) {
          for (int x = x0; x < Math.min(8, x0 + sw); x++) {
            sprite[8 * y + x] = (byte) (1 + rnd.nextInt(255));
          }
        }
        ((FixedSizeBinaryVector) v(root, "enc_sprite_fsb")).setSafe(i, sprite);
      }
      ListVector list = (ListVector) v(root, "enc_pairs_list");
      UnionListWriter w = list.getWriter();
      for (int i = 0; i < rows; i++) {
        w.setPosition(i);
        w.startList();
        w.integer().writeInt(rnd.nextInt(50));
        w.integer().writeInt(i);
        w.endList();
      }
      w.setValueCount(rows);
      for (FieldVector fv : root.getFieldVectors()) {
        fv.setValueCount(rows);
      }
      root.setRowCount(rows);
      return root;
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  private static FieldVector v(VectorSchemaRoot root, String name) {
    return root.getVector(name);
  }
}
