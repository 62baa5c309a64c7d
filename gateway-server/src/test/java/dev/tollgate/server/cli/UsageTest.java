package dev.tollgate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Help, and command lines that do not fit: all answered before any request is sent. */
class UsageTest {
    private static final String KEY = "admin-key-for-usage-tests";
    /** An admin URL where nothing listens: a command that got as far as a request would exit 3, not 2. */
    private static Map<String, String> env;

    @BeforeAll
    static void closedPort() throws IOException {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        env = Map.of(Connection.URL_ENV, "http://127.0.0.1:" + port, Connection.KEY_ENV, KEY);
    }

    private static List<Command> allCommands() {
        var all = new ArrayList<Command>(KeysCommand.GROUP.commands());
        all.addAll(ConfigCommand.GROUP.commands());
        all.addAll(PromptsCommand.GROUP.commands());
        all.addAll(ExperimentsCommand.GROUP.commands());
        all.add(SpendCommand.COMMAND);
        return all;
    }

    private static String[] words(Command command, String... more) {
        var words = new ArrayList<>(List.of(command.name().split(" ")));
        words.addAll(List.of(more));
        return words.toArray(String[]::new);
    }

    @Test
    void everyCommandAnswersHelpWithItsOwnUsageAndEveryOption() throws Exception {
        for (Command command : allCommands()) {
            for (String help : List.of("--help", "-h")) {
                CliRun run = CliRun.run(Map.of(), words(command, help));
                assertThat(run.code()).as(command.name()).isZero();
                assertThat(run.err()).isEmpty();
                assertThat(run.out()).startsWith("usage: tollgate " + command.synopsis() + " [options]")
                        .contains("--admin URL", "--admin-key-file PATH", "--timeout DURATION", "-h, --help");
                command.options().forEach(o -> assertThat(run.out()).contains("  " + o.synopsis() + "  "));
            }
        }
    }

    @Test
    void helpWinsOverEverythingElseOnTheLine() throws Exception {
        CliRun run = CliRun.run(Map.of(), "keys", "create", "--bogus", "--help");
        assertThat(run.code()).isZero();
        assertThat(run.out()).startsWith("usage: tollgate keys create NAME [options]");
    }

    @Test
    void theUsageListsTheOptionsEachCommandIsSpecifiedWith() throws Exception {
        assertThat(CliRun.run(Map.of(), "keys", "create", "--help").out()).contains("--team TEAM",
                "--models LIST", "--budget USD", "--period PERIOD", "--rpm N", "--tpm N", "--expires WHEN",
                "--metadata NAME=VALUE", "--json");
        assertThat(CliRun.run(Map.of(), "spend", "--help").out()).contains("--from WHEN", "--to WHEN",
                "--group-by GROUP", "--key NAME", "--team TEAM", "--csv", "--json");
        assertThat(CliRun.run(Map.of(), "config", "reload", "--help").out()).contains("--dry-run");
        assertThat(CliRun.run(Map.of(), "config", "diff", "--help").out())
                .startsWith("usage: tollgate config diff [FROM [TO]] [options]").doesNotContain("--json");
    }

    @Test
    void aGroupAnswersHelpWithItsCommandsAndAsksForOneWhenNoneIsGiven() throws Exception {
        for (Group group : List.of(KeysCommand.GROUP, ConfigCommand.GROUP)) {
            CliRun help = CliRun.run(Map.of(), group.name(), "--help");
            assertThat(help.code()).isZero();
            group.commands().forEach(c -> assertThat(help.out()).contains("tollgate " + c.synopsis()));
            CliRun none = CliRun.run(Map.of(), group.name());
            assertThat(none.code()).isEqualTo(2);
            assertThat(none.err()).startsWith("tollgate " + group.name() + ": which command?")
                    .contains("usage: tollgate " + group.name() + " COMMAND");
        }
        CliRun unknown = CliRun.run(env, "keys", "delete", "bot");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("tollgate keys: unknown command 'delete'; expected list, show, create,"
                + " revoke, enable");
        assertThat(unknown.out()).isEmpty();
    }

    @Test
    void anUnknownOptionExits2WithTheCommandsUsageAndNeverItsValue() throws Exception {
        CliRun run = CliRun.run(env, "keys", "list", "--bogus=some-secret");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).startsWith("tollgate keys list: unknown option '--bogus'\n")
                .contains("usage: tollgate keys list [options]").doesNotContain("some-secret");
        assertThat(run.out()).isEmpty();
        assertThat(CliRun.run(env, "spend", "-x").err()).startsWith("tollgate spend: unknown option '-x'");
    }

    @Test
    void theAdminKeyIsNeverTakenAsAnArgument() throws Exception {
        CliRun run = CliRun.run(Map.of(), "keys", "list", "--admin-key", "typed-secret");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("unknown option '--admin-key': the admin key is never an argument",
                "TOLLGATE_ADMIN_KEY", "--admin-key-file PATH").doesNotContain("typed-secret");
    }

    @Test
    void aMissingAdminKeySaysHowToGiveIt() throws Exception {
        CliRun run = CliRun.run(Map.of(Connection.KEY_ENV, "  "), "keys", "list");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).startsWith("tollgate keys list: no admin key: set TOLLGATE_ADMIN_KEY in the "
                + "environment, or pass --admin-key-file PATH (a file holding only the key)");
    }

    @Test
    void aKeyFileThatHoldsNoUsableKeyIsNamedButNeverQuoted(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing");
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        Path twoLines = Files.writeString(dir.resolve("two-lines"), "first-half-of-a-secret\nsecond-half\n");
        Map<String, String> noKey = Map.of(Connection.URL_ENV, env.get(Connection.URL_ENV));
        assertThat(CliRun.run(noKey, "keys", "list", "--admin-key-file", missing.toString()).err())
                .startsWith("tollgate keys list: --admin-key-file " + missing + ": the file does not exist");
        assertThat(CliRun.run(noKey, "keys", "list", "--admin-key-file", empty.toString()).err())
                .startsWith("tollgate keys list: --admin-key-file " + empty + ": the file is empty");
        CliRun broken = CliRun.run(noKey, "keys", "list", "--admin-key-file", twoLines.toString());
        assertThat(broken.code()).isEqualTo(2);
        assertThat(broken.err()).startsWith("tollgate keys list: the admin key in --admin-key-file " + twoLines
                + " has characters no key has").doesNotContain("secret");
    }

    @Test
    void aMalformedAdminUrlOrTimeoutIsBadUsageNamingWhereItCameFrom() throws Exception {
        CliRun flag = CliRun.run(env, "keys", "list", "--admin", "localhost:8081");
        assertThat(flag.code()).isEqualTo(2);
        assertThat(flag.err()).startsWith("tollgate keys list: --admin must be the admin API's http:// or https:// "
                + "URL, such as http://127.0.0.1:8081, got 'localhost:8081' (http://localhost:8081?)");
        CliRun variable = CliRun.run(Map.of(Connection.URL_ENV, "ftp://host", Connection.KEY_ENV, KEY),
                "keys", "list");
        assertThat(variable.err()).startsWith("tollgate keys list: TOLLGATE_ADMIN_URL must be");
        CliRun userInfo = CliRun.run(env, "keys", "list", "--admin", "http://ops:hunter2@127.0.0.1:8081");
        assertThat(userInfo.code()).isEqualTo(2);
        assertThat(userInfo.err()).contains("must not hold user info").doesNotContain("hunter2");
        CliRun timeout = CliRun.run(env, "spend", "--timeout", "10");
        assertThat(timeout.code()).isEqualTo(2);
        assertThat(timeout.err()).startsWith("tollgate spend: --timeout: expected a duration such as 250ms")
                .contains("a number needs a unit");
        assertThat(CliRun.run(env, "spend", "--timeout", "0").err()).contains("--timeout must be longer than 0");
    }

    @Test
    void operandsAreCounted() throws Exception {
        assertThat(CliRun.run(env, "keys", "show").err()).startsWith("tollgate keys show: missing NAME\n");
        assertThat(CliRun.run(env, "keys", "list", "extra").err())
                .startsWith("tollgate keys list: unexpected argument 'extra'\n");
        assertThat(CliRun.run(env, "config", "diff", "1", "2", "3").err())
                .startsWith("tollgate config diff: unexpected argument '3'\n");
        CliRun version = CliRun.run(env, "config", "rollback", "latest");
        assertThat(version.code()).isEqualTo(2);
        assertThat(version.err()).startsWith("tollgate config rollback: VERSION is a version number such as 3");
        assertThat(CliRun.run(env, "config", "diff", "0").err()).contains("FROM is a version number");
    }

    @Test
    void optionsThatCannotWorkTogetherOrCarryNoNumberAreRefusedBeforeAnyRequest() throws Exception {
        List<List<String>> lines = List.of(
                List.of("keys", "create", "bot", "--budget", "5"),
                List.of("keys", "create", "bot", "--period", "daily"),
                List.of("keys", "create", "bot", "--alerts", "0.5"),
                List.of("keys", "create", "bot", "--budget", "five", "--period", "daily"),
                List.of("keys", "create", "bot", "--rpm", "6O"),
                List.of("keys", "create", "bot", "--models", "a,,b"),
                List.of("keys", "create", "bot", "--metadata", "owner"),
                List.of("keys", "create", "bot", "--metadata", "a=1", "--metadata", "a=2"),
                List.of("keys", "create", "bot", "--team", "a", "--team", "b"),
                List.of("keys", "create", "bot", "--team"),
                List.of("keys", "list", "--json=yes"),
                List.of("spend", "--csv", "--json"));
        List<String> messages = List.of(
                "--budget needs --period (daily, weekly, monthly or lifetime)",
                "--period belongs to a budget: add --budget USD",
                "--alerts belongs to a budget: add --budget USD",
                "--budget takes a number such as 50 or 0.25, got 'five'",
                "--rpm takes a whole number, got '6O'",
                "--models has an empty item",
                "--metadata takes NAME=VALUE (owner=alice), got 'owner'",
                "--metadata a is given twice",
                "--team is given twice",
                "--team needs a value: --team TEAM",
                "--json takes no value",
                "--csv and --json are two formats: choose one");
        for (int i = 0; i < lines.size(); i++) {
            CliRun run = CliRun.run(env, lines.get(i).toArray(String[]::new));
            assertThat(run.code()).as(String.join(" ", lines.get(i))).isEqualTo(2);
            assertThat(run.err()).as(String.join(" ", lines.get(i))).contains(messages.get(i)).contains("usage:");
        }
    }
}
