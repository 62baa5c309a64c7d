package dev.tollgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RedisKeysCleaner;
import dev.tollgate.server.testing.RunningGateway;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway processes on one machine: with a shared Redis they enforce one limit together; with their own
 * in-memory counters each enforces it alone. The second gateway is a real child JVM, started from this test's
 * classpath, so nothing but Redis is shared.
 */
class SharedLimitsTest {
    static final String KEY = "tg-shared-limits-key";
    private static final Pattern PROXY = Pattern.compile("\"proxy\":\"[^\"]*:(\\d+)\"");

    @TempDir
    Path dir;

    String config(String name, String storage) {
        return """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                storage: { ledger: "sqlite:%s"%s }
                providers:
                  mock: { type: mock, mock: { answer_words: 3 } }
                keys:
                  - { name: app, hash: "%s", limits: { rpm: 6 } }
                models:
                  fast: { deployments: [ { provider: mock, model: mock-1 } ] }
                """.formatted(dir.resolve(name + ".db"), storage, KeyHash.of(KEY));
    }

    @Test
    void replicasSharingRedisEnforceOneLimitAndSeparateOnesEnforceTheirOwn() throws Exception {
        String prefix = RedisKeysCleaner.randomPrefix("shared-limits");
        try {
            assertThat(grantedAcrossTwoProcesses(", redis: \"" + RedisKeysCleaner.URI + "\", redis_prefix: \""
                    + prefix + "\"")).isEqualTo(6);
        } finally {
            RedisKeysCleaner.deleteAll(prefix);
        }
        assertThat(grantedAcrossTwoProcesses("")).isEqualTo(12);
    }

    /** Sends twelve requests alternately to this JVM's gateway and a child process's; counts the 200s. */
    private int grantedAcrossTwoProcesses(String storage) throws Exception {
        Path childConfig = Files.writeString(dir.resolve("child-" + UUID.randomUUID() + ".yaml"),
                config("child-" + UUID.randomUUID(), storage));
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.tollgate.server.Main", "--config",
                childConfig.toString()).redirectErrorStream(true).start();
        try (var here = RunningGateway.start(config("here-" + UUID.randomUUID(), storage), Map.of())) {
            URI there = URI.create("http://127.0.0.1:" + proxyPort(child) + "/v1/chat/completions");
            int granted = 0;
            for (int i = 0; i < 12; i++) {
                URI target = i % 2 == 0 ? here.url("/v1/chat/completions") : there;
                HttpResponse<String> r = Http.post(target, Http.chat("fast", false), "authorization", "Bearer " + KEY);
                assertThat(r.statusCode()).isIn(200, 429);
                granted += r.statusCode() == 200 ? 1 : 0;
            }
            return granted;
        } finally {
            child.destroy();
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
    }

    /** The child's proxy port, from its "tollgate started" log line. */
    private static int proxyPort(Process child) throws Exception {
        var lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String line;
        var seen = new StringBuilder();
        while (System.nanoTime() < deadline && (line = lines.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = PROXY.matcher(line);
            if (line.contains("tollgate started") && m.find()) {
                Thread.ofVirtual().start(() -> lines.lines().forEach(l -> { })); // keep its pipe drained
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("the child gateway did not start:\n" + seen);
    }
}
