package dev.weft.cli.commands;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code weft verify} — being implemented (issue [cli]). */
@Command(name = "verify", mixinStandardHelpOptions = true, description = "(not implemented yet)")
public final class VerifyCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("weft verify: not implemented yet");
    return 2;
  }
}
