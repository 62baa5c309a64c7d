package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Random damage to a valid file never makes the loader throw or hang: every mutant comes back as Loaded or
 * Invalid, and no output ever shows the secret the file references.
 */
class FuzzTest {
    private static final int MUTANTS = 600;
    /** Characters that matter to YAML, line breaks of every kind, stray surrogates, and a few plain ones. */
    private static final String ALPHABET =
            ":-{}[],&*!|>'\"#%@`?~<=^\n\r\t $\\0123456789abcxyzKMGiB.\u0000\u0085\u2028\uFEFF\uD800\uDC00\u00e9";

    private static final String SEED_FILE = """
            server:
              listen: 0.0.0.0:8080
              admin_listen: "[::1]:8081"
              max_request_bytes: 10MiB
              stream_keep_alive: 15s
              access_log: true
            providers:
              openai:
                type: openai
                base_url: https://api.openai.com/v1
                api_key: ${env:OPENAI_API_KEY}
                headers: { OpenAI-Organization: org-123 }
                timeouts: &t { connect: 5s, first_byte: 60s, idle: 60s, overall: 10m }
              claude:
                type: anthropic
                api_key: ${env:ANTHROPIC_API_KEY}
                api_version: 2023-06-01
              bedrock:
                type: bedrock
                region: us-east-1
                aws_access_key_id: ${env:AWS_ACCESS_KEY_ID}
                aws_secret_access_key: ${env:AWS_SECRET_ACCESS_KEY}
                aws_session_token: ${env:AWS_SESSION_TOKEN}
              demo:
                type: mock
                timeouts: *t
                mock:
                  latency: 20ms
                  tokens_per_second: 400
                  faults: { error_rate: 0.1, error_status: 503 }
            models:
              gpt-4o-mini:
                mode: chat
                deployments:
                  - { provider: openai, model: gpt-4o-mini, weight: 3 }
                  - { provider: claude, model: claude-haiku-4-5 }
                  - { provider: bedrock, model: anthropic.claude-3-5-haiku-20241022-v1:0 }
                  - provider: demo
              embed:
                mode: embeddings
                deployments: [{ provider: demo, limits: { rpm: 100, concurrent: 4 } }]
            storage:
              ledger: postgres://db.internal:5432/tollgate?user=gateway
              redis: rediss://cache.internal:6380/1
              on_redis_failure: { limits: local, budgets: fail_closed }
              spill_max: 256MiB
            budgets:
              time_zone: Europe/Berlin
              global: { usd: 10000, period: monthly, alerts: [0.5, 0.8, 1.0] }
              unpriced: charge_reservation
              unpriced_price: { input: 10, output: 30 }
              alert_webhook: { url: "https://hooks.example.com/tollgate", authorization: "${env:ORG_TOKEN}" }
            teams:
              support:
                limits: { rpm: 600, tpm: 200000, concurrent: 50 }
                budget: &monthly { usd: 500, period: monthly, alerts: [0.5, 0.8, 1.0] }
                metadata: { cost_center: "42" }
            keys:
              - name: support-bot
                hash: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                team: support
                expires: 2027-01-01T00:00:00Z
                models: [gpt-4o-mini, "claude-*"]
                endpoints: [chat, messages]
                limits: { rpm: 60, tpm: 100000, concurrent: 10 }
                budget: *monthly
                per_user: { limits: { rpm: 10 }, budget: { usd: 2.5, period: daily } }
              - { name: batch, hash: "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210", disabled: true }
            prices:
              gpt-4o-mini: { input: 0.15, output: 0.60, cached_input: 0.075 }
              openai/gpt-4o-mini: { input: 0.1, output: 0.5, max_output_tokens: 16384 }
            """;

    @Test
    void mutantsNeverEscapeTheLoader() {
        var random = new Random(20_240_601L);
        ConfigLoader loader = Fixtures.loader();
        assertThat(Fixtures.loaded(loader.parse("seed.yaml", SEED_FILE)).warnings()).isEmpty();
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < MUTANTS; i++) {
                String mutant = mutate(SEED_FILE, random, 1 + random.nextInt(6));
                outcomes[loadsCleanly(loader, mutant) ? 0 : 1]++;
            }
        });
        // The mutations should exercise both outcomes, or the test proves little.
        assertThat(outcomes[0]).isPositive();
        assertThat(outcomes[1]).isPositive();
    }

    /**
     * The same property with jqwik choosing the damage (and shrinking a failure to the smallest seed and count):
     * more edits per file than the fixed run, so deeper breakage is reached too.
     */
    @Property(tries = 400)
    void anyMutantLoadsOrReportsProblems(@ForAll long seed, @ForAll @IntRange(min = 1, max = 24) int mutations) {
        loadsCleanly(Fixtures.loader(), mutate(SEED_FILE, new Random(seed), mutations));
    }

    /**
     * Asserts the loader's answer to {@code mutant} is a snapshot or a list of problems with sane lines, neither
     * showing the secret; returns whether it loaded.
     */
    private static boolean loadsCleanly(ConfigLoader loader, String mutant) {
        return switch (loader.parse("mutant.yaml", mutant)) {
            case LoadResult.Loaded loaded -> {
                assertThat(loaded.toString()).doesNotContain(Fixtures.CANARY);
                yield true;
            }
            case LoadResult.Invalid invalid -> {
                assertThat(invalid.problems()).isNotEmpty().allSatisfy(p -> {
                    assertThat(p.line()).isBetween(1, lineBreaks(mutant) + 1);
                    assertThat(p.toString()).doesNotContain(Fixtures.CANARY);
                });
                yield false;
            }
        };
    }

    /** Line breaks as YAML counts them: CR, LF, CRLF, NEL, LS and PS. */
    private static int lineBreaks(String text) {
        return (int) text.replace("\r\n", "\n").chars()
                .filter(c -> c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029).count();
    }

    private static String mutate(String text, Random random, int mutations) {
        var chars = new ArrayList<Character>(text.length() + mutations);
        for (char c : text.toCharArray()) {
            chars.add(c);
        }
        for (int m = 0; m < mutations; m++) {
            int at = random.nextInt(chars.size());
            char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
            switch (random.nextInt(4)) {
                case 0 -> chars.remove(at);
                case 1 -> chars.add(at, c);
                case 2 -> chars.set(at, c);
                default -> duplicateLine(chars, at);
            }
        }
        var out = new StringBuilder(chars.size());
        chars.forEach(out::append);
        return out.toString();
    }

    /** Repeats the line around {@code at}: duplicate keys and list items are a classic editing slip. */
    private static void duplicateLine(List<Character> chars, int at) {
        int start = at;
        while (start > 0 && chars.get(start - 1) != '\n') {
            start--;
        }
        int end = at;
        while (end < chars.size() && chars.get(end) != '\n') {
            end++;
        }
        List<Character> line = new ArrayList<>(chars.subList(start, Math.min(end + 1, chars.size())));
        chars.addAll(start, line);
    }
}
