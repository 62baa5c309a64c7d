package dev.tollgate.server.cli;

import java.util.List;

/** Commands under one name ({@code tollgate keys list}, {@code tollgate keys create}, ...). */
record Group(String name, String summary, List<Command> commands) {
    Group {
        commands = List.copyOf(commands);
    }

    /** The command called {@code word}, or null. */
    Command command(String word) {
        return commands.stream().filter(c -> c.word().equals(word)).findFirst().orElse(null);
    }

    String usage() {
        var text = new StringBuilder("usage: tollgate ").append(name).append(" COMMAND [options]\n\n")
                .append(summary).append("\n\ncommands:\n");
        int width = commands.stream().mapToInt(c -> c.synopsis().length()).max().orElse(0);
        for (Command c : commands) {
            text.append("  tollgate ").append(Command.pad(c.synopsis(), width)).append("  ").append(c.summary())
                    .append('\n');
        }
        return text.append("\nEach command answers --help with its options.\n").toString();
    }
}
