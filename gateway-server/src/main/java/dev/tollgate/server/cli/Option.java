package dev.tollgate.server.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code --name} a command takes: with a value ({@code --team TEAM}) or alone ({@code --json}).
 *
 * @param value the value's placeholder in usage text, or null for an option that takes none
 * @param repeatable whether it may be given more than once ({@code --metadata k=v --metadata k2=v2})
 */
record Option(String name, String value, String help, boolean repeatable) {
    static final Option JSON = flag("--json", "print the gateway's JSON reply as it is, instead of a table");

    static Option flag(String name, String help) {
        return new Option(name, null, help, false);
    }

    static Option value(String name, String value, String help) {
        return new Option(name, value, help, false);
    }

    static Option repeated(String name, String value, String help) {
        return new Option(name, value, help, true);
    }

    /** {@code options} and then {@code more}: a command's shared options with those of one command alone. */
    static List<Option> concat(List<Option> options, Option... more) {
        var all = new ArrayList<>(options);
        all.addAll(List.of(more));
        return List.copyOf(all);
    }

    boolean takesValue() {
        return value != null;
    }

    /** How usage text shows it: {@code --team TEAM}. */
    String synopsis() {
        return takesValue() ? name + " " + value : name;
    }
}
