package dev.peapod.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.List;

/**
 * The {@code peapod} command. Exit codes: 0 success, 1 runtime failure, 2 usage error (a
 * subcommand such as {@code up} may return its own documented codes). Errors print one line,
 * {@code Error: <message>}, on stderr; {@code --debug} adds the stack trace.
 */
public final class Main {
    static final int OK = 0;
    static final int FAILURE = 1;
    static final int USAGE = 2;

    private Main() {}

    public static void main(String[] args) {
        System.exit(execute(CliContext.host(), args));
    }

    /** Runs one command line against {@code context}, printing to stdout and stderr. */
    static int execute(CliContext context, String... args) {
        return commandLine(context, args).execute(args);
    }

    /**
     * The command tree for {@code args} (only the selected subcommand is built, see
     * {@link Subcommands}) with peapod's error handling and exit codes.
     */
    static CommandLine commandLine(CliContext context, String... args) {
        var root = new CommandLine(new RootCommand().spec);
        Subcommands.register(root, context, List.of(args));
        return configure(root);
    }

    /** Execution (root {@code --data-dir} handed down, see {@link DataDirs}), error handling, exit codes. */
    static CommandLine configure(CommandLine root) {
        root.setExecutionStrategy(parsed -> {
            DataDirs.propagate(parsed);
            return new CommandLine.RunLast().execute(parsed);
        });
        root.setExecutionExceptionHandler(Main::onExecutionFailure);
        root.setParameterExceptionHandler(Main::onUsageError);
        root.setExitCodeExceptionMapper(e -> FAILURE);
        return root;
    }

    private static int onExecutionFailure(Exception e, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        err.println("Error: " + message(e));
        if (debugRequested(parsed)) e.printStackTrace(err);
        err.flush();
        return FAILURE;
    }

    private static int onUsageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("Error: " + e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        err.println("See '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return USAGE;
    }

    /** {@code --debug} is inherited by every subcommand, so look for it at every level. */
    private static boolean debugRequested(ParseResult parsed) {
        for (var level = parsed; level != null; level = level.subcommand()) {
            if (level.hasMatchedOption(RootCommand.DEBUG)) return true;
        }
        return false;
    }

    /**
     * The one line a user sees. Our own exceptions already read "failed to &lt;verb&gt; &lt;object&gt;:
     * &lt;cause&gt;"; the JDK's file exceptions carry only the path, so they get their errno wording.
     */
    static String message(Throwable e) {
        return switch (e) {
            case NoSuchFileException f -> f.getFile() + ": no such file or directory";
            case AccessDeniedException f -> f.getFile() + ": permission denied";
            case FileAlreadyExistsException f -> f.getFile() + ": file exists";
            default -> e.getMessage() != null && !e.getMessage().isBlank()
                    ? e.getMessage()
                    : e.getClass().getSimpleName() + (e.getCause() == null ? "" : ": " + message(e.getCause()));
        };
    }
}
