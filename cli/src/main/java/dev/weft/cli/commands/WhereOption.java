package dev.weft.cli.commands;

import dev.weft.cli.WeftFiles.BadInputException;
import dev.weft.index.Expr;
import picocli.CommandLine.Option;

/** The {@code --where EXPR} option of {@code weft head} and {@code weft cat} (a picocli mixin). */
public final class WhereOption {
  @Option(names = "--where", paramLabel = "EXPR",
      description = "Only rows where EXPR is true, e.g. \"label = 1 AND price >= 3.5 AND city IN ('NYC','SFO')\""
          + " (=, !=, <, <=, >, >=, IN, IS [NOT] NULL, AND, OR, NOT; 'strings', numbers, TRUE, FALSE, NULL,"
          + " DATE 'yyyy-mm-dd'; timestamps and times as strings: 'yyyy-mm-dd hh:mm:ss', 'hh:mm:ss')."
          + " Zone maps and bloom filters skip the parts of the file that cannot match.")
  String text;

  /** The parsed predicate, or null without --where; a one-line error when the text is invalid. */
  Expr parse() throws BadInputException {
    return RowCommand.parseWhere(text);
  }
}
