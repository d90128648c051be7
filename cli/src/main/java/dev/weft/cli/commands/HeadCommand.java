package dev.weft.cli.commands;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code weft head} — being implemented (issue [cli]). */
@Command(name = "head", mixinStandardHelpOptions = true, description = "(not implemented yet)")
public final class HeadCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("weft head: not implemented yet");
    return 2;
  }
}
