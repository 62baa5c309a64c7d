package dev.tollgate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RunningGateway;
import java.nio.file.Files;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code tollgate config ...} against a running gateway: reload, dry run, versions, diff and rollback. */
class ConfigCommandsEndToEndTest {
    private static final String ADMIN = "admin-key-for-cli-config-tests";

    private static String config(String models) {
        return """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0, watch_config: false }
                admin: { keys: ["%s"] }
                providers:
                  demo: { type: mock }
                models:
                %s""".formatted(KeyHash.of(ADMIN), models);
    }

    @Test
    void aChangeIsReloadedDiffedAndRolledBackFromTheCommandLine() throws Exception {
        String v1 = config("  alpha: { deployments: [ { provider: demo } ] }\n");
        String v2 = v1 + "  beta: { deployments: [ { provider: demo } ] }\n";
        try (var gateway = RunningGateway.start(v1, Map.of())) {
            Map<String, String> env = Map.of(Connection.KEY_ENV, ADMIN,
                    "TOLLGATE_ADMIN_URL", gateway.adminUrl("").toString());

            gateway.writeConfig(config("  alpha: { deployments: [ { provider: nowhere } ] }\n"));
            CliRun broken = CliRun.run(env, "config", "reload", "--dry-run");
            assertThat(broken.code()).isEqualTo(1);
            assertThat(broken.err()).contains("unknown provider 'nowhere'").contains("the running config is unchanged");

            gateway.writeConfig(v2);
            CliRun dry = CliRun.run(env, "config", "reload", "--dry-run");
            assertThat(dry.code()).isZero();
            assertThat(dry.out()).contains("+  beta:");
            assertThat(CliRun.run(env, "config", "reload").code()).isZero();

            CliRun diff = CliRun.run(env, "config", "diff", "1", "2");
            assertThat(diff.out()).contains("--- v1").contains("+++ v2").contains("+  beta:");

            CliRun rollback = CliRun.run(env, "config", "rollback", "1");
            assertThat(rollback.code()).isZero();
            assertThat(Files.readString(gateway.configFile())).doesNotContain("beta");

            // A provider no model uses: applied, with a warning the command prints in the gateway's words.
            String mock = "  demo: { type: mock }\n";
            gateway.writeConfig(v2.replace(mock, mock + "  spare: { type: mock }\n"));
            CliRun warned = CliRun.run(env, "config", "reload");
            assertThat(warned.code()).isZero();
            assertThat(warned.err()).contains("warning: ").contains("provider 'spare' is not used by any model");

            CliRun show = CliRun.run(env, "config", "show");
            assertThat(show.out()).containsPattern("source +" + Pattern.quote(gateway.configFile().toString()));

            CliRun versions = CliRun.run(env, "config", "versions");
            assertThat(versions.out()).contains("rollback to 1").contains("startup");
            assertThat(versions.out().lines().filter(l -> l.matches("\\s*\\*?\\s*[1234]\\b.*")).count()).isEqualTo(4);
        }
    }
}
