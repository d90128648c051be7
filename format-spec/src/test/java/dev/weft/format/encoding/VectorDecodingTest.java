package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorDecoding}'s decision, in JVMs started with the flags that decide it: the module
 * present or not, C2 or C1 alone, {@code -Dweft.vector=false}.
 */
class VectorDecodingTest {
  /** Prints {@link VectorDecoding#status()} (run in a child JVM). */
  public static final class PrintStatus {
    public static void main(String[] args) {
      System.out.println(VectorDecoding.status());
    }
  }

  private static String status(String... jvmFlags) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(jvmFlags));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PrintStatus.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish");
    assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    return out;
  }

  @Test
  void onWithTheModuleAndC2() throws Exception {
    String s = status("--add-modules=jdk.incubator.vector");
    assertTrue(s.startsWith("on") || s.contains("bits (256 needed)"), s);
  }

  @Test
  void offWithoutTheModule() throws Exception {
    assertEquals("off: the JVM was started without --add-modules jdk.incubator.vector", status());
  }

  @Test
  void offWithC1Alone() throws Exception {
    assertEquals("off: the JIT stops before C2 (-XX:TieredStopAtLevel below 4)",
        status("--add-modules=jdk.incubator.vector", "-XX:TieredStopAtLevel=1"));
  }

  @Test
  void offWhenAskedTo() throws Exception {
    assertEquals("off: -Dweft.vector=false", status("--add-modules=jdk.incubator.vector", "-Dweft.vector=false"));
  }

  @Test
  void thisJvmDecodesWithVectors() {
    // surefire's argLine adds the module, as the loader server's launchers do (AVX2 and up: 256 bits)
    assertTrue(VectorDecoding.ENABLED || SpanVectorDecoder.preferredBits() < 256, VectorDecoding.status());
  }
}
