package dev.weft.cli;

import dev.weft.cli.commands.CatCommand;
import dev.weft.cli.commands.ConvertCommand;
import dev.weft.cli.commands.HeadCommand;
import dev.weft.cli.commands.InspectCommand;
import dev.weft.cli.commands.TakeCommand;
import dev.weft.cli.commands.VerifyCommand;
import dev.weft.cli.output.StdoutStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code weft} command. Exit codes: 0 success, 1 a verification mismatch, 2 bad input or
 * usage (141 when the reader of a pipe closed it early, as for a process killed by SIGPIPE).
 * Every error is one line on stderr, {@code weft CMD: message}, naming the file and the reason;
 * {@code --debug} adds the stack trace.
 *
 * <p>Commands write data to {@link #stdout()} (a byte stream whose write errors are marked, so a
 * closed pipe ends the run quietly) and messages to {@link #stderr()}; tests run everything
 * in-process with {@link #execute(OutputStream, OutputStream, String...)}.
 */
@Command(
    name = "weft",
    mixinStandardHelpOptions = true,
    versionProvider = WeftVersion.class,
    description = "Weft: a random-access columnar file format for ML training data.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
      ConvertCommand.class,
      InspectCommand.class,
      HeadCommand.class,
      TakeCommand.class,
      CatCommand.class,
      VerifyCommand.class,
      dev.weft.cli.commands.ServeCommand.class,
      CommandLine.HelpCommand.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  weft inspect data.weft                      schema, sizes, encodings",
      "  weft head data.weft -n 5 --columns id,label  the first rows as a table",
      "  weft take data.weft --rows 5,17,100-120      rows by id",
      "  weft cat data.weft --format arrow > out.arrows",
      "  weft help head                              help of one command",
      "",
      "Exit codes: 0 success, 1 a verification mismatch, 2 bad input or usage.",
      "Add --debug to any command to see the stack trace of an error."
    })
public final class WeftCli implements Callable<Integer> {
  /** Exit code of a successful run. */
  public static final int EXIT_OK = 0;
  /** Exit code when a verification found differences. */
  public static final int EXIT_MISMATCH = 1;
  /** Exit code for bad input (files, arguments) or usage errors. */
  public static final int EXIT_BAD_INPUT = 2;
  /** Exit code when stdout was a pipe its reader closed (128 + SIGPIPE, as shells report it). */
  public static final int EXIT_BROKEN_PIPE = 141;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces of errors.")
  boolean debug;

  private OutputStream stdout = new StdoutStream(new FileOutputStream(FileDescriptor.out));

  /** Where commands write data: standard output, as bytes (flush before returning). */
  public OutputStream stdout() {
    return stdout;
  }

  /** Where commands write messages: standard error. */
  public PrintWriter stderr() {
    return spec.commandLine().getErr();
  }

  @Override
  public Integer call() {
    CommandLine cli = spec.commandLine();
    cli.getErr().println("weft: missing COMMAND (see 'weft --help')");
    cli.usage(cli.getErr());
    return EXIT_BAD_INPUT;
  }

  /** Runs the command line on the process's stdout and stderr; returns the exit code (no System.exit). */
  public static int execute(String... args) {
    return execute(new FileOutputStream(FileDescriptor.out), System.err, args);
  }

  /** Runs the command line writing to {@code out} and {@code err}; returns the exit code. */
  public static int execute(OutputStream out, OutputStream err, String... args) {
    if (System.getProperty("picocli.trace") == null) {
      // picocli's own WARN lines (e.g. about an unbalanced quote in a list option) would come
      // before the command's one-line error; -Dpicocli.trace=WARN (WEFT_JAVA_OPTS) shows them
      System.setProperty("picocli.trace", "OFF");
    }
    WeftCli root = new WeftCli();
    root.stdout = new StdoutStream(out);
    PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
    CommandLine cli = new CommandLine(root);
    cli.setOut(new PrintWriter(new OutputStreamWriter(new StdoutStream(out), StandardCharsets.UTF_8), true));
    cli.setErr(errWriter);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExitCodeExceptionMapper(e -> EXIT_BAD_INPUT);
    cli.getCommandSpec().exitCodeOnInvalidInput(EXIT_BAD_INPUT);
    cli.getCommandSpec().exitCodeOnExecutionException(EXIT_BAD_INPUT);
    cli.setParameterExceptionHandler(WeftCli::handleUsageError);
    cli.setExecutionExceptionHandler(WeftCli::handleError);
    try {
      return cli.execute(args);
    } catch (OutOfMemoryError | StackOverflowError e) {
      // Errors are not exceptions: picocli lets them through
      errWriter.println(commandName(cli, args) + ": " + ErrorMessages.describe(e));
      if (List.of(args).contains("--debug")) {
        e.printStackTrace(errWriter);
      }
      errWriter.flush();
      return EXIT_BAD_INPUT;
    } finally {
      errWriter.flush();
    }
  }

  private static String commandName(CommandLine cli, String[] args) {
    for (String a : args) {
      if (cli.getSubcommands().containsKey(a)) {
        return "weft " + a;
      }
    }
    return "weft";
  }

  /**
   * A usage error (unknown option, missing or invalid argument) is one line: "weft CMD: what
   * (see 'weft CMD --help')", exit code 2.
   */
  private static int handleUsageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    String name = cmd.getCommandSpec().qualifiedName();
    StringBuilder msg = new StringBuilder(oneLine(e.getMessage()));
    if (e instanceof CommandLine.UnmatchedArgumentException u && cmd.getParent() == null
        && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
      // weft hed x
      String word = u.getUnmatched().get(0);
      msg.setLength(0);
      msg.append("unknown command '").append(word).append('\'');
      String near = nearest(word, cmd.getSubcommands().keySet());
      if (near != null) {
        msg.append(" (did you mean '").append(near).append("'?)");
      }
    } else if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      msg.append(" (did you mean ").append(String.join(" or ", u.getSuggestions().subList(0,
          Math.min(3, u.getSuggestions().size())))).append("?)");
    }
    err.println(name + ": " + msg + " (see '" + name + " --help')");
    if (List.of(args).contains("--debug")) {
      e.printStackTrace(err);
    }
    err.flush();
    return EXIT_BAD_INPUT;
  }

  /**
   * Any exception a command throws becomes one line on stderr, "weft CMD: message", and exit
   * code 2; the stack trace is printed only with --debug. A closed output pipe ends the run
   * silently with {@link #EXIT_BROKEN_PIPE}.
   */
  private static int handleError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    StdoutStream.WriteError w = StdoutStream.writeError(e);
    if (w != null && w.isBrokenPipe()) {
      return EXIT_BROKEN_PIPE;
    }
    boolean debug = false;
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      debug |= p.hasMatchedOption("--debug");
    }
    PrintWriter err = cmd.getErr();
    err.println(cmd.getCommandSpec().qualifiedName() + ": " + ErrorMessages.describe(e));
    if (debug) {
      e.printStackTrace(err);
    }
    err.flush();
    return EXIT_BAD_INPUT;
  }

  /** The candidate closest to {@code word} by edit distance, if at most 2 edits away. */
  static String nearest(String word, Iterable<String> candidates) {
    String best = null;
    int bestDistance = 3;
    for (String c : candidates) {
      int d = editDistance(word.toLowerCase(java.util.Locale.ROOT), c);
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    return best;
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String oneLine(String s) {
    return s == null ? "invalid arguments" : s.strip().replaceAll("\\s*\\R\\s*", "; ");
  }

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("convert")) {
      dev.weft.cli.convert.Prewarm.start(); // heavy static initializers, while picocli parses
    }
    int rc = execute(args);
    System.out.flush();
    System.exit(rc);
  }
}
