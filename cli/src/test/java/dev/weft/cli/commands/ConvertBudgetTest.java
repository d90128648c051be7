package dev.weft.cli.commands;

import static dev.weft.cli.convert.TestFiles.data;
import static dev.weft.cli.convert.TestFiles.weft;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.cli.convert.TestFiles.Run;
import dev.weft.cli.parquet.Sizes;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code weft convert --memory-budget}: {@code auto} (the default) is half the JVM's heap, within bounds. */
class ConvertBudgetTest {
  private static final long MIB = 1L << 20;

  @Test
  void autoIsHalfTheHeapBetween512MiBAnd8GiB() {
    assertEquals(512 * MIB, ConvertCommand.autoBudget(256 * MIB)); // a small heap: the old fixed default
    assertEquals(512 * MIB, ConvertCommand.autoBudget(1024 * MIB));
    assertEquals(3072 * MIB, ConvertCommand.autoBudget(6144 * MIB)); // a quarter of 24 GiB of RAM, the JVM's default heap
    assertEquals(8192 * MIB, ConvertCommand.autoBudget(64L * 1024 * MIB));
  }

  @Test
  void theDefaultAndAutoUseIt(@TempDir Path tmp) throws Exception {
    String want = "memory: budget " + Sizes.human(ConvertCommand.autoBudget(Runtime.getRuntime().maxMemory())) + " (";
    for (String[] budget : new String[][] {{}, {"--memory-budget", "auto"}, {"--memory-budget", "AUTO"}}) {
      Object[] args = new Object[6 + budget.length];
      Object[] fixed = {"convert", data("parquet-testing/data/alltypes_plain.parquet"), "-o",
          tmp.resolve("a" + budget.length + budget.hashCode() + ".weft"), "--debug", "--overwrite"};
      System.arraycopy(fixed, 0, args, 0, fixed.length);
      System.arraycopy(budget, 0, args, fixed.length, budget.length);
      Run r = weft(args);
      assertEquals(0, r.rc(), r::all);
      assertTrue(r.out().contains(want), want + " in " + r.out());
    }
    Run explicit = weft("convert", data("parquet-testing/data/alltypes_plain.parquet"), "-o", tmp.resolve("b.weft"),
        "--debug", "--memory-budget", "64m");
    assertTrue(explicit.out().contains("memory: budget 64.0 MiB ("), explicit.out());
  }
}
