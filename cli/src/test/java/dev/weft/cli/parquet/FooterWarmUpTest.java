package dev.weft.cli.parquet;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.cli.convert.TestFiles;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link ParquetFile#warmUp}: decodes a whole Parquet file's footer from memory, or refuses it. */
class FooterWarmUpTest {
  @Test
  void decodesTheBundledTrainingFileAndRealFiles() throws Exception {
    try (var in = dev.weft.cli.CdsTraining.class.getResourceAsStream("cds-training.parquet")) {
      byte[] bundled = in.readAllBytes();
      assertDoesNotThrow(() -> ParquetFile.warmUp(bundled));
    }
    byte[] real = Files.readAllBytes(TestFiles.data("parquet-testing/data/alltypes_plain.parquet"));
    assertDoesNotThrow(() -> ParquetFile.warmUp(real));
  }

  @Test
  void refusesBytesThatAreNoParquetFile() throws Exception {
    assertThrows(ParquetFormatException.class, () -> ParquetFile.warmUp(new byte[5]));
    byte[] real = Files.readAllBytes(TestFiles.data("parquet-testing/data/alltypes_plain.parquet"));
    byte[] truncated = Arrays.copyOfRange(real, real.length / 2, real.length);
    assertThrows(ParquetFormatException.class, () -> ParquetFile.warmUp(truncated));
    byte[] noFooter = real.clone();
    Arrays.fill(noFooter, noFooter.length - 8, noFooter.length - 4, (byte) 0x7f);
    assertThrows(ParquetFormatException.class, () -> ParquetFile.warmUp(noFooter));
  }
}
