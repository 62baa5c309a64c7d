package dev.tollgate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.testing.RunningGateway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One run of an admin command with its output captured, in an environment given as a map. Every run checks that
 * the admin key in that environment appears in neither output.
 */
record CliRun(int code, String out, String err) {
    /** The environment of a CLI that talks to {@code gateway}'s admin port with {@code key}. */
    static Map<String, String> env(RunningGateway gateway, String key) {
        return Map.of(Connection.URL_ENV, gateway.adminUrl("").toString(), Connection.KEY_ENV, key);
    }

    static CliRun run(Map<String, String> env, String... args) throws InterruptedException {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = AdminCommands.run(args[0], List.of(args).subList(1, args.length),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env::get);
        var run = new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        String key = env.get(Connection.KEY_ENV);
        if (key != null && !key.isBlank()) {
            assertThat(run.out() + run.err()).as("the admin key is never printed").doesNotContain(key);
        }
        return run;
    }

    /** Checks that the gateway refused the command and that its message, as printed, says {@code why}. */
    void assertRefused(String why) {
        assertThat(code).as(err).isEqualTo(AdminCommands.REFUSED);
        assertThat(err).contains(why);
    }
}
