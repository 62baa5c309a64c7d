package dev.tollgate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RunningGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tollgate prompts ...} and {@code tollgate experiments ...} against a real gateway. */
class PromptsCommandsTest {
    private static final String ADMIN = "admin-key-for-prompts-cli";

    @TempDir
    Path dir;

    private RunningGateway gateway;
    private Map<String, String> env;

    @BeforeEach
    void start() throws Exception {
        gateway = RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0, watch_config: false }
                storage: { ledger: "sqlite:%s" }
                admin: { keys: ["%s"] }
                providers:
                  mock: { type: mock }
                models:
                  fast: { deployments: [ { provider: mock } ] }
                  smart: { deployments: [ { provider: mock } ] }
                prompts:
                  support-answer:
                    description: Answers tickets
                    labels:
                      production: 1
                    versions:
                      1:
                        model: fast
                        params: {temperature: 0.2}
                        system: "You answer for {{product}}."
                        messages:
                          - {role: user, content: "Ticket: {{ticket}}"}
                      2: {system: "You answer briefly for {{product}}.", note: shorter}
                experiments:
                  tone:
                    prompt: support-answer
                    arms:
                      a: {version: 1, weight: 50}
                      b: {version: 2, model: smart, weight: 50}
                """.formatted(dir.resolve("ledger.db"), KeyHash.of(ADMIN)), Map.of());
        env = CliRun.env(gateway, ADMIN);
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void promptsAreListedShownRenderedDiffedAndLabelled() throws Exception {
        CliRun list = CliRun.run(env, "prompts", "list");
        assertThat(list.code()).isZero();
        assertThat(list.out()).contains("PROMPT", "support-answer", "1, 2", "production=1", "tone (production)",
                "Answers tickets");

        CliRun show = CliRun.run(env, "prompts", "show", "support-answer");
        assertThat(show.out()).contains("VERSION", "fast", "product, ticket", "shorter");
        CliRun version = CliRun.run(env, "prompts", "show", "support-answer", "--version", "1");
        assertThat(version.out()).contains("temperature 0.2", "[system]\nYou answer for {{product}}.",
                "[user]\nTicket: {{ticket}}");

        CliRun render = CliRun.run(env, "prompts", "render", "support-answer@1", "--var", "product=Acme", "--var",
                "ticket=it broke");
        assertThat(render.code()).as(render.err()).isZero();
        assertThat(render.out()).contains("[system]\nYou answer for Acme.", "[user]\nTicket: it broke");
        CliRun.run(env, "prompts", "render", "support-answer", "--var", "product=Acme")
                .assertRefused("needs variable ticket");
        assertThat(CliRun.run(env, "prompts", "render", "support-answer", "--var", "novalue").code())
                .isEqualTo(AdminCommands.BAD_USAGE);

        CliRun diff = CliRun.run(env, "prompts", "diff", "support-answer", "1", "2");
        assertThat(diff.out()).contains("+++ support-answer@2", "+note: shorter");

        CliRun label = CliRun.run(env, "prompts", "label", "support-answer", "production", "2");
        assertThat(label.code()).as(label.err()).isZero();
        assertThat(label.out()).contains("support-answer@production -> 2: config version 2 is running",
                "+      production: 2");
        assertThat(Files.readString(gateway.configFile())).contains("production: 2");
        assertThat(CliRun.run(env, "prompts", "label", "support-answer", "production", "two").code())
                .isEqualTo(AdminCommands.BAD_USAGE);
    }

    @Test
    void experimentsAreShownAndEnded() throws Exception {
        CliRun list = CliRun.run(env, "experiments", "list");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains("EXPERIMENT", "tone", "support-answer@production", "smart");
        CliRun show = CliRun.run(env, "experiments", "show", "tone", "--since", "2026-01-01");
        assertThat(show.code()).as(show.err()).isZero();
        assertThat(show.out()).contains("control", "LATENCY MS", "b against a:", "  error rate: not enough data");

        assertThat(CliRun.run(env, "experiments", "end", "tone").code()).isEqualTo(AdminCommands.BAD_USAGE);
        CliRun end = CliRun.run(env, "experiments", "end", "tone", "--winner", "b");
        assertThat(end.code()).as(end.err()).isZero();
        assertThat(end.out()).contains("experiment tone ended: b wins, support-answer@production -> 2");
        assertThat(end.err()).contains("note: Arm b sent its requests to model 'smart'");
        assertThat(CliRun.run(env, "experiments", "list").out()).contains("no experiments");
    }
}
