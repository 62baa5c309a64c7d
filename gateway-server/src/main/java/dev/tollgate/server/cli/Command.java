package dev.tollgate.server.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * One admin command: its name as typed ({@code keys create}), operands, options and what it does. Every command
 * also takes the {@link Connection#OPTIONS connection options}.
 */
record Command(String name, List<Operand> operands, String summary, List<Option> options, Action action) {
    /** What the command does with its parsed command line; a failure is thrown as a {@link Failure}. */
    @FunctionalInterface
    interface Action {
        void run(Invocation call) throws InterruptedException;
    }

    /** A positional argument; optional ones follow the required ones. */
    record Operand(String name, boolean optional) {
        static Operand required(String name) {
            return new Operand(name, false);
        }

        static Operand optional(String name) {
            return new Operand(name, true);
        }
    }

    Command {
        var all = new ArrayList<>(options);
        all.addAll(Connection.OPTIONS);
        options = List.copyOf(all);
        operands = List.copyOf(operands);
    }

    /** The option called {@code name}, or null when the command has none of that name. */
    Option option(String name) {
        return options.stream().filter(o -> o.name().equals(name)).findFirst().orElse(null);
    }

    long requiredOperands() {
        return operands.stream().filter(o -> !o.optional()).count();
    }

    /** The first word after the group's name: what {@code tollgate keys} dispatches on. */
    String word() {
        return name.substring(name.lastIndexOf(' ') + 1);
    }

    /** {@code keys create NAME}, {@code config diff [FROM [TO]]}. */
    String synopsis() {
        var text = new StringBuilder(name);
        operands.stream().filter(o -> !o.optional()).forEach(o -> text.append(' ').append(o.name()));
        List<Operand> optional = operands.stream().filter(Operand::optional).toList();
        String nested = "";
        for (Operand o : optional.reversed()) {
            nested = "[" + o.name() + (nested.isEmpty() ? "" : " " + nested) + "]";
        }
        return nested.isEmpty() ? text.toString() : text + " " + nested;
    }

    String usage() {
        var text = new StringBuilder("usage: tollgate ").append(synopsis()).append(" [options]\n\n")
                .append(summary).append("\n\noptions:\n");
        int width = options.stream().mapToInt(o -> o.synopsis().length()).max().orElse(0);
        for (Option o : options) {
            text.append("  ").append(pad(o.synopsis(), width)).append("  ").append(o.help()).append('\n');
        }
        text.append("  ").append(pad("-h, --help", width)).append("  ").append("this help\n");
        return text.toString();
    }

    static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }
}
