package dev.weft.cli.commands;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code weft convert} — being implemented (issue [cli]). */
@Command(name = "convert", mixinStandardHelpOptions = true, description = "(not implemented yet)")
public final class ConvertCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("weft convert: not implemented yet");
    return 2;
  }
}
