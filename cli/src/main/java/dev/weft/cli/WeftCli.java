package dev.weft.cli;

import dev.weft.cli.commands.CatCommand;
import dev.weft.cli.commands.ConvertCommand;
import dev.weft.cli.commands.HeadCommand;
import dev.weft.cli.commands.InspectCommand;
import dev.weft.cli.commands.TakeCommand;
import dev.weft.cli.commands.VerifyCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code weft} command. Exit codes: 0 success, 1 a verification mismatch, 2 bad input or
 * usage.
 */
@Command(
    name = "weft",
    mixinStandardHelpOptions = true,
    versionProvider = WeftVersion.class,
    description = "Weft: a random-access columnar file format for ML training data.",
    subcommands = {
      ConvertCommand.class,
      InspectCommand.class,
      HeadCommand.class,
      TakeCommand.class,
      CatCommand.class,
      VerifyCommand.class,
      CommandLine.HelpCommand.class
    })
public final class WeftCli implements Runnable {
  /** Exit code of a successful run. */
  public static final int EXIT_OK = 0;
  /** Exit code when a verification found differences. */
  public static final int EXIT_MISMATCH = 1;
  /** Exit code for bad input (files, arguments) or usage errors. */
  public static final int EXIT_BAD_INPUT = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces of errors.")
  boolean debug;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** Runs the command line and returns the exit code (no System.exit). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new WeftCli());
    cli.setExitCodeExceptionMapper(e -> EXIT_BAD_INPUT);
    cli.getCommandSpec().exitCodeOnInvalidInput(EXIT_BAD_INPUT);
    cli.setExecutionExceptionHandler(WeftCli::handleError);
    return cli.execute(args);
  }

  /**
   * Any exception a command throws becomes one line on stderr, "weft CMD: message", and exit
   * code 2; the stack trace is printed only with --debug.
   */
  private static int handleError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    boolean debug = parsed != null && parsed.hasMatchedOption("--debug")
        || (parsed != null && parsed.subcommand() != null && parsed.subcommand().hasMatchedOption("--debug"));
    String name = cmd.getCommandName();
    System.err.println("weft " + name + ": " + ErrorMessages.describe(e));
    if (debug) {
      e.printStackTrace(System.err);
    }
    return EXIT_BAD_INPUT;
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }
}
