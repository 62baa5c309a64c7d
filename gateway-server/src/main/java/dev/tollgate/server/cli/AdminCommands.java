package dev.tollgate.server.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The admin commands, {@code tollgate keys|spend|config|reviews|prompts|experiments|evaluations ...}. Exit codes: 0 done, 1 the gateway refused or failed
 * the request, 2 a command line that does not fit the command, 3 no answer from the admin API.
 */
public final class AdminCommands {
    /** The command names this class runs. */
    public static final Set<String> NAMES = Set.of("keys", "spend", "config", "reviews", "prompts",
            "experiments", "evaluations");

    static final int REFUSED = 1;
    static final int BAD_USAGE = 2;
    static final int UNREACHABLE = 3;

    private final PrintStream out;
    private final PrintStream err;
    private final Function<String, String> env;

    private AdminCommands(PrintStream out, PrintStream err, Function<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    /**
     * Runs {@code tollgate NAME ARGS...} and returns its exit code.
     *
     * @param name one of {@link #NAMES}
     * @param env the environment ({@code System::getenv}), for the admin API's URL and key
     */
    public static int run(String name, List<String> args, PrintStream out, PrintStream err,
                          Function<String, String> env) throws InterruptedException {
        var commands = new AdminCommands(out, err, env);
        return switch (name) {
            case "keys" -> commands.group(KeysCommand.GROUP, args);
            case "config" -> commands.group(ConfigCommand.GROUP, args);
            case "reviews" -> commands.group(ReviewsCommand.GROUP, args);
            case "prompts" -> commands.group(PromptsCommand.GROUP, args);
            case "experiments" -> commands.group(ExperimentsCommand.GROUP, args);
            case "evaluations" -> commands.group(EvaluationsCommand.GROUP, args);
            case "spend" -> commands.command(SpendCommand.COMMAND, args);
            default -> throw new IllegalArgumentException("not an admin command: " + name);
        };
    }

    private int group(Group group, List<String> args) throws InterruptedException {
        if (args.isEmpty()) {
            return badUsage(group.name(), "which command? " + commandWords(group), group.usage());
        }
        String word = args.getFirst();
        if (isHelp(word)) {
            out.print(group.usage());
            return 0;
        }
        Command command = group.command(word);
        if (command == null) {
            return badUsage(group.name(), "unknown command '" + word + "'; expected " + commandWords(group),
                    group.usage());
        }
        return command(command, args.subList(1, args.size()));
    }

    private int command(Command command, List<String> args) throws InterruptedException {
        if (args.stream().anyMatch(AdminCommands::isHelp)) {
            out.print(command.usage());
            return 0;
        }
        try {
            Arguments parsed = Arguments.parse(args, command);
            try (var admin = new AdminClient(Connection.resolve(parsed, env))) {
                command.action().run(new Invocation(parsed, admin, out, err));
            }
            return 0;
        } catch (Failure.BadUsage e) {
            return badUsage(command.name(), e.getMessage(), command.usage());
        } catch (Failure.Refused e) {
            err.println("tollgate " + command.name() + ": " + e.getMessage());
            e.problems().forEach(p -> err.println("  " + p));
            if (!e.problems().isEmpty()) {
                err.println(e.problems().size() + (e.problems().size() == 1 ? " problem" : " problems")
                        + "; the running config is unchanged");
            }
            return REFUSED;
        } catch (Failure.Unreachable e) {
            err.println("tollgate " + command.name() + ": " + e.getMessage());
            return UNREACHABLE;
        }
    }

    private int badUsage(String name, String message, String usage) {
        err.println("tollgate " + name + ": " + message);
        err.println();
        err.print(usage);
        return BAD_USAGE;
    }

    private static String commandWords(Group group) {
        return String.join(", ", group.commands().stream().map(Command::word).toList());
    }

    private static boolean isHelp(String arg) {
        return arg.equals("--help") || arg.equals("-h");
    }
}
