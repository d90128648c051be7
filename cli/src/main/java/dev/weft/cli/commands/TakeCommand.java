package dev.weft.cli.commands;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code weft take} — being implemented (issue [cli]). */
@Command(name = "take", mixinStandardHelpOptions = true, description = "(not implemented yet)")
public final class TakeCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("weft take: not implemented yet");
    return 2;
  }
}
