package dev.weft.cli.commands;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code weft cat} — being implemented (issue [cli]). */
@Command(name = "cat", mixinStandardHelpOptions = true, description = "(not implemented yet)")
public final class CatCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("weft cat: not implemented yet");
    return 2;
  }
}
