package dev.weft.cli.convert;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.cli.WeftCli;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Test data and in-process runs of the CLI for the convert/verify tests. */
public final class TestFiles {
  private TestFiles() {}

  /**
   * ../shared/testdata beside the repository: found by walking up from the working directory
   * (tests run in the module directory, cli/), or taken from WEFT_TESTDATA.
   */
  public static Path testdata() {
    String env = System.getenv("WEFT_TESTDATA");
    if (env != null && Files.isDirectory(Paths.get(env))) {
      return Paths.get(env);
    }
    for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path c = d.resolve("shared").resolve("testdata");
      if (Files.isDirectory(c)) {
        return c;
      }
    }
    return Paths.get("../../shared/testdata").toAbsolutePath().normalize();
  }

  /** A file below the test data; the test is skipped if the data is not there. */
  public static Path data(String relative) {
    Path p = testdata().resolve(relative);
    assumeTrue(Files.exists(p), "test data not found: " + p);
    return p;
  }

  /** Output and exit status of one in-process run of the weft command. */
  public record Run(int rc, String out, String err) {
    public String all() {
      return "exit status " + rc + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
    }
  }

  /** Runs {@code weft ARGS} in-process (WeftCli.execute) with stdout and stderr captured. */
  public static Run weft(Object... args) {
    String[] a = new String[args.length];
    for (int i = 0; i < args.length; i++) {
      a[i] = String.valueOf(args[i]);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = WeftCli.execute(out, err, a);
    return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
