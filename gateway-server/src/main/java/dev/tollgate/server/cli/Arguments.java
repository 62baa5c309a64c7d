package dev.tollgate.server.cli;

import dev.tollgate.server.cli.Failure.BadUsage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A command line parsed against one {@link Command}: its options ({@code --name value}) and its operands. */
final class Arguments {
    private final Map<String, List<String>> options;
    private final List<String> operands;

    private Arguments(Map<String, List<String>> options, List<String> operands) {
        this.options = options;
        this.operands = operands;
    }

    /**
     * Parses {@code args} (the words after the command's name). An option's value follows it or is joined with
     * {@code =}; a word that does not start with {@code -} is an operand.
     *
     * @throws BadUsage for an unknown option, a missing value, an option given twice or the wrong operand count
     */
    static Arguments parse(List<String> args, Command command) {
        var options = new LinkedHashMap<String, List<String>>();
        var operands = new ArrayList<String>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("-") || arg.equals("-")) {
                operands.add(arg);
                continue;
            }
            int eq = arg.indexOf('=');
            // Only the name is ever repeated in a message: a value may be a secret typed in the wrong place.
            String name = eq > 0 ? arg.substring(0, eq) : arg;
            Option option = command.option(name);
            if (option == null) {
                throw new BadUsage(unknown(name));
            }
            String value;
            if (!option.takesValue()) {
                if (eq > 0) {
                    throw new BadUsage(name + " takes no value");
                }
                value = "";
            } else if (eq > 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                value = args.get(++i);
            } else {
                throw new BadUsage(name + " needs a value: " + option.synopsis());
            }
            List<String> values = options.computeIfAbsent(name, n -> new ArrayList<>());
            if (!values.isEmpty() && !option.repeatable()) {
                throw new BadUsage(name + " is given twice");
            }
            values.add(value);
        }
        List<Command.Operand> expected = command.operands();
        if (operands.size() < command.requiredOperands()) {
            throw new BadUsage("missing " + expected.get(operands.size()).name());
        }
        if (operands.size() > expected.size()) {
            throw new BadUsage("unexpected argument '" + operands.get(expected.size()) + "'");
        }
        return new Arguments(options, List.copyOf(operands));
    }

    private static String unknown(String name) {
        String message = "unknown option '" + name + "'";
        return name.equals("--admin-key")
                ? message + ": the admin key is never an argument (arguments show in process lists); "
                        + Connection.HOW_TO_GIVE_THE_KEY
                : message;
    }

    boolean has(String name) {
        return options.containsKey(name);
    }

    /** The option's value, or null when it is not given. */
    String value(String name) {
        List<String> values = options.get(name);
        return values == null ? null : values.getFirst();
    }

    /** Every value of a repeatable option, in the order given. */
    List<String> values(String name) {
        return options.getOrDefault(name, List.of());
    }

    /** The operand at {@code index}, or null when an optional one is not given. */
    String operand(int index) {
        return index < operands.size() ? operands.get(index) : null;
    }
}
