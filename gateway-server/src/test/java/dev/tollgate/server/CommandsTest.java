package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.access.KeyHash;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line commands that do not serve: key making and config checking. */
class CommandsTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void newKeyPrintsAKeyAndTheHashOfThatKey() throws Exception {
        assertThat(Main.run(List.of("new-key"), new PrintStream(out), new PrintStream(err))).isZero();
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        String key = lines[0].substring("key:  ".length());
        assertThat(key).matches("tg-[0-9A-Za-z]{43}");
        assertThat(lines[1]).isEqualTo("hash: " + KeyHash.of(key));
    }

    @Test
    void hashKeyReadsStandardInputNeverArguments() throws Exception {
        var in = new ByteArrayInputStream("tg-abc\n".getBytes(StandardCharsets.UTF_8));
        assertThat(Main.hashKey(in, new PrintStream(out), new PrintStream(err))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).strip()).isEqualTo(KeyHash.of("tg-abc").toString());
        var empty = new ByteArrayInputStream(new byte[0]);
        assertThat(Main.hashKey(empty, new PrintStream(out), new PrintStream(err))).isEqualTo(2);
    }

    @Test
    void validateShowsWarningsOfAValidFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("t.yaml"), """
                providers:
                  up: { type: openai, base_url: https://api.openai.com/v1, api_key: sk-written-inline }
                  spare: { type: mock }
                models:
                  m: { deployments: [ { provider: up } ] }
                """);
        assertThat(Main.run(List.of("validate", file.toString()), new PrintStream(out), new PrintStream(err)))
                .isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("valid (with warnings, above)");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("warning: ").contains("spare")
                .doesNotContain("sk-written-inline");
    }

    @Test
    void adminCommandsAnswerTheirOwnHelp() throws Exception {
        assertThat(Main.run(List.of("keys", "--help"), new PrintStream(out), new PrintStream(err))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("tollgate keys create NAME").contains("tollgate keys revoke NAME");
    }
}
