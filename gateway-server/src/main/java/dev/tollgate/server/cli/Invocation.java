package dev.tollgate.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.function.Consumer;

/** One run of a command: its parsed command line, the admin API, and where output and messages go. */
record Invocation(Arguments args, AdminClient admin, PrintStream out, PrintStream err) {
    boolean json() {
        return args.has("--json");
    }

    /** The reply as it came with {@code --json}, else what {@code human} makes of it. */
    void show(AdminClient.Reply reply, Consumer<JsonNode> human) {
        if (json()) {
            raw(reply.body());
        } else {
            human.accept(reply.json());
        }
    }

    /** Text the gateway wrote, as it is, ending with one line break. */
    void raw(String text) {
        out.print(text);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            out.println();
        }
    }
}
