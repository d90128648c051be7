package dev.weft.cli.convert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Expands the SRC arguments of {@code weft convert} into input files.
 *
 * <ul>
 *   <li>A file is taken as it is (whatever its name).
 *   <li>A directory is searched recursively for files named {@code *.parquet}, {@code *.parq}
 *       or {@code *.pq} (any case); files and directories whose names start with {@code .} or
 *       {@code _} are skipped, as pyarrow's dataset discovery skips them ({@code _SUCCESS},
 *       {@code _metadata}, {@code .crc} files, hidden temporary directories).
 *   <li>Anything else that contains {@code * ? [ {} is a glob (Java's glob syntax; {@code **}
 *       crosses directories, and a leading {@code **}{@code /} also matches no directory),
 *       matched against files below its longest literal prefix.
 * </ul>
 *
 * <p>Within a directory or glob source, path segments of the form {@code key=value} between the
 * source's root and the file are Hive-style partitions: see {@link Partitions}.
 */
public final class Sources {
  private Sources() {}

  /** One input file, with where it came from (for output names and partition keys). */
  public record Input(Path path, Path root, Path relative) {
    /** The partition segments (key=value) of the relative path, in order. */
    public List<String[]> partitionSegments() {
      List<String[]> out = new ArrayList<>();
      Path parent = relative.getParent();
      if (parent == null) {
        return out;
      }
      for (Path seg : parent) {
        String s = seg.toString();
        int eq = s.indexOf('=');
        if (eq > 0) {
          out.add(new String[] {decode(s.substring(0, eq)), decode(s.substring(eq + 1))});
        }
      }
      return out;
    }
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  /**
   * Resolves every argument, in order (directory contents and glob matches sorted by path);
   * a file named twice is converted once.
   *
   * @throws NoSuchFileException for a path that does not exist (and is not a glob)
   * @throws IllegalArgumentException for a directory without Parquet files or a glob without
   *     matches
   */
  public static List<Input> resolve(List<String> args) throws IOException {
    List<Input> out = new ArrayList<>();
    Set<Path> seen = new LinkedHashSet<>();
    for (String arg : args) {
      for (Input in : resolveOne(arg)) {
        if (seen.add(in.path().toAbsolutePath().normalize())) {
          out.add(in);
        }
      }
    }
    return out;
  }

  static List<Input> resolveOne(String arg) throws IOException {
    Path p = Paths.get(arg);
    if (Files.isDirectory(p)) {
      List<Input> found = walk(p, p, null);
      if (found.isEmpty()) {
        throw new IllegalArgumentException(arg + ": no Parquet files (*.parquet, *.parq, *.pq) in this directory"
            + " or below it" + arrowHint(p));
      }
      return found;
    }
    if (Files.exists(p)) {
      Path parent = p.toAbsolutePath().getParent();
      return List.of(new Input(p, parent, p.getFileName()));
    }
    if (isGlob(arg)) {
      return glob(arg);
    }
    throw new NoSuchFileException(arg);
  }

  static boolean isGlob(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
  }

  private static List<Input> glob(String pattern) throws IOException {
    // the longest prefix of whole path segments without glob characters is the search root
    String normalized = pattern.replace('\\', '/');
    int firstGlob = normalized.length();
    for (char c : new char[] {'*', '?', '[', '{'}) {
      int i = normalized.indexOf(c);
      if (i >= 0) {
        firstGlob = Math.min(firstGlob, i);
      }
    }
    int slash = normalized.lastIndexOf('/', firstGlob);
    Path root = slash < 0 ? Paths.get(".") : Paths.get(slash == 0 ? "/" : normalized.substring(0, slash));
    String rest = slash < 0 ? normalized : normalized.substring(slash + 1);
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException(pattern + ": no files match (" + root + " is not a directory)");
    }
    PathMatcher full = FileSystems.getDefault().getPathMatcher("glob:" + rest);
    // "**/" also matches no directory at all, as in shells with globstar
    PathMatcher top = rest.startsWith("**/") ? FileSystems.getDefault().getPathMatcher("glob:" + rest.substring(3)) : null;
    PathMatcher matcher = p -> full.matches(p) || (top != null && top.matches(p));
    List<Input> found = walk(root, root, matcher);
    if (found.isEmpty()) {
      throw new IllegalArgumentException(pattern + ": no files match");
    }
    return found;
  }

  /**
   * For a directory without Parquet files that holds Arrow IPC files (what Hugging Face
   * {@code datasets}' {@code save_to_disk} and Feather write): how to get Parquet from them.
   */
  private static String arrowHint(Path dir) {
    try (Stream<Path> s = Files.walk(dir, 4)) {
      boolean arrow = s.anyMatch(f -> {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".arrow") || n.endsWith(".feather") || n.endsWith(".ipc") || n.endsWith(".arrows");
      });
      return arrow ? "; it holds Arrow IPC files (*.arrow, *.feather): " + ARROW_TO_PARQUET : "";
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
  }

  /** How to turn Arrow IPC data into Parquet, which weft convert reads. */
  public static final String ARROW_TO_PARQUET = "weft convert reads Parquet; write them as Parquet first"
      + " (pyarrow.parquet.write_table, or datasets' Dataset.to_parquet)";

  private static List<Input> walk(Path root, Path dir, PathMatcher matcher) throws IOException {
    List<Input> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      s.filter(f -> {
        Path rel = root.relativize(f);
        for (Path seg : rel) {
          String n = seg.toString();
          if (n.startsWith(".") || n.startsWith("_")) {
            return false;
          }
        }
        if (!Files.isRegularFile(f)) {
          return false;
        }
        if (matcher != null) {
          return matcher.matches(rel);
        }
        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".parquet") || name.endsWith(".parq") || name.endsWith(".pq");
      }).sorted().forEach(f -> out.add(new Input(f, root, root.relativize(f))));
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return out;
  }

  /** Partition keys and values of a list of inputs, checked for consistency. */
  public static Map<Input, List<String[]>> partitions(List<Input> inputs) {
    Map<Input, List<String[]>> out = new LinkedHashMap<>();
    for (Input in : inputs) {
      out.put(in, in.partitionSegments());
    }
    return out;
  }
}
