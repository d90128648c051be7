package dev.weft.cli.commands;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code weft inspect} — being implemented (issue [cli]). */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "(not implemented yet)")
public final class InspectCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("weft inspect: not implemented yet");
    return 2;
  }
}
