package dev.tollgate.config;

import static dev.tollgate.config.Fixtures.loaded;
import static dev.tollgate.config.Fixtures.loader;
import static dev.tollgate.config.Fixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.access.AccessPolicy;
import dev.tollgate.core.access.AdminKey;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.access.PerUser;
import dev.tollgate.core.access.Team;
import dev.tollgate.core.access.VirtualKey;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.pricing.Price;
import dev.tollgate.core.pricing.Unpriced;
import dev.tollgate.core.prompt.Experiment;
import dev.tollgate.core.prompt.Prompt;
import dev.tollgate.core.prompt.PromptRegistry;
import dev.tollgate.core.quota.Budget;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.quota.Period;
import dev.tollgate.core.routing.AwsCredentials;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.ModelGroup;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.routing.Timeouts;
import dev.tollgate.core.runtime.HostPort;
import dev.tollgate.core.runtime.LogLevel;
import dev.tollgate.core.runtime.MetricsSettings;
import dev.tollgate.core.runtime.MockEndpoints;
import dev.tollgate.core.runtime.MockProfile;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.core.runtime.Secret;
import dev.tollgate.core.runtime.ServerSettings;
import dev.tollgate.core.runtime.StorageSettings;
import dev.tollgate.core.spi.Header;
import dev.tollgate.core.spi.Operation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compilation into a snapshot, the loader's entry points, and when mock servers may be started. */
class ConfigLoaderTest {

    @TempDir
    Path dir;

    private static final String FULL = """
            server:
              listen: "[::]:9090"
              admin_listen: 127.0.0.1:0
              io_threads: 4
              max_request_bytes: 2MiB
              max_header_bytes: 32KiB
              max_uri_bytes: 4KB
              max_headers: 64
              request_header_timeout: 5s
              request_body_timeout: 20s
              idle_timeout: 2m
              max_connections: 500
              max_streams: 200
              max_response_bytes: 1048576
              stream_keep_alive: 30s
              access_log: false
              shutdown_delay: 5s
              shutdown_grace: 2m
              watch_config: false
              log_level: warn
              audit_log: /var/log/tollgate/audit.jsonl
            providers:
              openai:
                type: openai
                base_url: https://api.openai.com/v1
                api_key: ${env:OPENAI_API_KEY}
                headers: { OpenAI-Organization: org-123 }
                timeouts: { connect: 2s, first_byte: 30s, idle: 45s, overall: 5m }
              azure:
                type: openai
                base_url: https://example.openai.azure.com/openai/v1/
                api_key: ${env:OPENAI_API_KEY}
                auth_header: api-key
              demo:
                type: mock
                timeouts: { overall: 1m }
                mock:
                  latency: 250ms
                  tokens_per_second: 12.5
                  chunks: 3
                  answer_words: 10
                  embedding_dimensions: 64
                  seed: -7
                  faults: { error_rate: 0.25, error_status: 429, reset_rate: 0.5, reset_after_chunks: 1 }
            models:
              gpt-4o-mini:
                mode: chat
                deployments:
                  - { provider: openai, model: gpt-4o-mini, weight: 3 }
                  - { provider: azure, model: gpt-4o-mini-2024-07-18 }
              text-embedding-3-small:
                mode: embeddings
                deployments:
                  - provider: openai
              demo:
                deployments: [{ provider: demo }]
            """;

    @Test
    void compilesEverySection() {
        var mocks = new Fixtures.RecordingMocks();
        RuntimeSnapshot snapshot = loaded(loader(mocks).parse("full.yaml", FULL)).snapshot();

        assertThat(snapshot.source()).isEqualTo("full.yaml");
        assertThat(snapshot.server()).isEqualTo(new ServerSettings(new HostPort("::", 9090), new HostPort("127.0.0.1", 0),
                4, 2L << 20, 32 << 10, 4000, 64, Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofMinutes(2), 500,
                200, 1 << 20, Duration.ofSeconds(30), false, Duration.ofSeconds(5),
                Duration.ofMinutes(2), false, LogLevel.WARN, Path.of("/var/log/tollgate/audit.jsonl")));

        assertThat(snapshot.providers()).containsOnlyKeys("openai", "azure", "demo");
        Provider openai = snapshot.providers().get("openai");
        assertThat(openai.type()).isEqualTo("openai");
        assertThat(openai.baseUrl()).isEqualTo(URI.create("https://api.openai.com/v1"));
        assertThat(openai.apiKey().reference()).isEqualTo("${env:OPENAI_API_KEY}");
        assertThat(openai.authHeader()).isEqualTo("authorization");
        assertThat(openai.headers()).containsExactly(new Header("OpenAI-Organization", "org-123"));
        assertThat(openai.timeouts()).isEqualTo(new Timeouts(
                Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(45), Duration.ofMinutes(5)));
        Provider azure = snapshot.providers().get("azure");
        assertThat(azure.authHeaders()).containsExactly(new Header("api-key", Fixtures.CANARY));
        assertThat(azure.timeouts()).isEqualTo(Timeouts.DEFAULTS);

        // The mock becomes an OpenAI provider at the address the mock server reports, with no key.
        Provider demo = snapshot.providers().get("demo");
        assertThat(demo.type()).isEqualTo("openai");
        assertThat(demo.baseUrl()).isEqualTo(URI.create("http://127.0.0.1:40000/demo/v1"));
        assertThat(demo.apiKey()).isNull();
        assertThat(demo.timeouts().overall()).isEqualTo(Duration.ofMinutes(1));
        assertThat(mocks.started).containsExactly("demo");
        assertThat(mocks.profiles).containsExactly(
                new MockProfile(Duration.ofMillis(250), 12.5, 3, 10, 64, 0.25, 429, 0.5, 1, -7));

        assertThat(snapshot.models()).containsOnlyKeys("gpt-4o-mini", "text-embedding-3-small", "demo");
        assertThat(snapshot.models().keySet()).containsExactly("gpt-4o-mini", "text-embedding-3-small", "demo");
        ModelGroup chat = snapshot.model("gpt-4o-mini");
        assertThat(chat.operation()).isEqualTo(Operation.CHAT);
        assertThat(chat.deployments()).containsExactly(
                new Deployment("gpt-4o-mini/openai/gpt-4o-mini", openai, "gpt-4o-mini", 3, Limits.NONE),
                new Deployment("gpt-4o-mini/azure/gpt-4o-mini-2024-07-18", azure, "gpt-4o-mini-2024-07-18", 1, Limits.NONE));
        ModelGroup embed = snapshot.model("text-embedding-3-small");
        assertThat(embed.operation()).isEqualTo(Operation.EMBEDDINGS);
        assertThat(embed.deployments()).extracting(Deployment::id, Deployment::upstreamModel).containsExactly(
                org.assertj.core.groups.Tuple.tuple(
                        "text-embedding-3-small/openai/text-embedding-3-small", "text-embedding-3-small"));
    }

    private static final String HASH_A = "sha256:" + "a".repeat(64);
    private static final String HASH_B = "sha256:" + "0123456789abcdef".repeat(4);

    private static final String ACCESS = """
            storage:
              ledger: postgres://db.internal:5432/tollgate?user=gateway
              redis: ${env:REDIS_URL}
              redis_prefix: "tg-test:"
              on_redis_failure: { limits: fail_closed, budgets: local }
              spill_dir: /var/spool/tollgate
              spill_max: 64MiB
            budgets:
              time_zone: Europe/Berlin
              global: { usd: 10000, period: monthly, alerts: [0.5, 0.8, 1.0] }
              unpriced: charge_reservation
              unpriced_price: { input: 10, output: 30 }
              alert_webhook: { url: "https://hooks.example.com/tollgate?channel=spend", authorization: "${env:HOOK_TOKEN}" }
            teams:
              support:
                limits: { rpm: 600, tpm: 200000, concurrent: 50 }
                budget: { usd: 500.25, period: weekly }
                metadata: { cost_center: 42 }
              research: {}
            keys:
              - name: support-bot
                hash: %s
                team: support
                expires: 2027-01-01
                models: [gpt-4o-mini, "claude-*"]
                endpoints: [chat, messages]
                metadata: { owner: alice }
                limits: { rpm: 60, tpm: 100000, concurrent: 10 }
                budget: { usd: 0.000000001, period: daily }
                per_user: { limits: { rpm: 10 }, budget: { usd: 2, period: lifetime } }
              - name: batch
                hash: %s
                expires: 2026-06-30T18:00:00+02:00
                disabled: true
            prices:
              gpt-4o-mini: { input: 0.15, output: 0.60, cached_input: 0.075 }
              openai/gpt-4o-mini: { input: 0, output: 0, cache_write: 1.5, reasoning: 2.000000001, max_output_tokens: 16384 }
            providers:
              openai:
                type: openai
                base_url: https://api.openai.com/v1
            models:
              gpt-4o-mini:
                deployments:
                  - provider: openai
                    limits: { rpm: 500, tpm: 300000, concurrent: 20 }
              claude-haiku:
                deployments:
                  - { provider: openai, model: gpt-4o }
            """.formatted(HASH_A, HASH_B);

    private static final Map<String, String> ACCESS_ENV = Map.of(
            "REDIS_URL", "redis://:" + Fixtures.CANARY + "@redis.internal:6380/2",
            "HOOK_TOKEN", "Bearer " + Fixtures.CANARY);

    @Test
    void compilesKeysTeamsBudgetsPricesAndStorage() {
        var loader = new ConfigLoader(Fixtures.TYPES, ACCESS_ENV::get, new Fixtures.RecordingMocks());
        LoadResult.Loaded loaded = loaded(loader.parse("t.yaml", ACCESS));
        assertThat(loaded.warnings()).isEmpty();
        RuntimeSnapshot snapshot = loaded.snapshot();

        AccessPolicy access = snapshot.access();
        assertThat(access.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(access.globalBudget()).isEqualTo(new Budget(Money.ofUsd("10000"), Period.MONTHLY, List.of(0.5, 0.8, 1.0)));
        assertThat(access.unpriced()).isEqualTo(Unpriced.CHARGE_RESERVATION);
        assertThat(access.unpricedPrice()).isEqualTo(Price.simple(Money.ofUsd("10"), Money.ofUsd("30")));
        assertThat(access.alerts().url()).isEqualTo(URI.create("https://hooks.example.com/tollgate?channel=spend"));
        assertThat(access.alerts().authorization().reveal()).isEqualTo("Bearer " + Fixtures.CANARY);

        assertThat(access.teams().keySet()).containsExactly("support", "research");
        assertThat(access.team("support")).isEqualTo(new Team("support", new Limits(600, 200_000, 50),
                new Budget(Money.ofUsd("500.25"), Period.WEEKLY, List.of()), Map.of("cost_center", "42")));
        assertThat(access.team("research")).isEqualTo(new Team("research", Limits.NONE, null, Map.of()));

        assertThat(access.keys()).hasSize(2);
        VirtualKey bot = access.keys().get(0);
        assertThat(bot).isEqualTo(new VirtualKey("support-bot", KeyHash.parse(HASH_A), "support", Instant.EPOCH,
                Instant.parse("2027-01-01T00:00:00Z"), false, Set.of("gpt-4o-mini", "claude-*"), Set.of("chat", "messages"),
                Map.of("owner", "alice"), new Limits(60, 100_000, 10),
                new Budget(new Money(1), Period.DAILY, List.of()),
                new PerUser(new Limits(10, 0, 0), new Budget(Money.ofUsd("2"), Period.LIFETIME, List.of())),
                VirtualKey.Source.CONFIG));
        VirtualKey batch = access.keys().get(1);
        assertThat(batch.team()).isNull();
        assertThat(batch.expires()).isEqualTo(Instant.parse("2026-06-30T16:00:00Z"));
        assertThat(batch.disabled()).isTrue();
        assertThat(batch.models()).isEmpty();
        assertThat(batch.endpoints()).isEmpty();
        assertThat(batch.limits()).isEqualTo(Limits.NONE);
        assertThat(batch.budget()).isNull();
        assertThat(batch.perUser()).isNull();

        assertThat(snapshot.prices().keySet()).containsExactly("gpt-4o-mini", "openai/gpt-4o-mini");
        assertThat(snapshot.prices().get("gpt-4o-mini")).isEqualTo(new Price(Money.ofUsd("0.15"), Money.ofUsd("0.6"),
                Money.ofUsd("0.075"), Money.ofUsd("0.15"), Money.ofUsd("0.6"), 0));
        assertThat(snapshot.prices().get("openai/gpt-4o-mini")).isEqualTo(new Price(Money.ZERO, Money.ZERO, Money.ZERO,
                Money.ofUsd("1.5"), Money.ofUsd("2.000000001"), 16_384));

        assertThat(snapshot.model("gpt-4o-mini").deployments().getFirst().limits()).isEqualTo(new Limits(500, 300_000, 20));
        assertThat(snapshot.model("claude-haiku").deployments().getFirst().limits()).isEqualTo(Limits.NONE);

        StorageSettings storage = snapshot.storage();
        // Every spelling of PostgreSQL comes out as postgresql://; what logs show carries no credentials.
        assertThat(storage.ledger().reveal()).isEqualTo("postgresql://db.internal:5432/tollgate?user=gateway");
        assertThat(storage.ledger()).hasToString("postgresql://db.internal:5432/tollgate");
        assertThat(storage.redis().reveal()).isEqualTo(ACCESS_ENV.get("REDIS_URL"));
        assertThat(storage.redis()).hasToString("${env:REDIS_URL}");
        assertThat(storage.redisPrefix()).isEqualTo("tg-test:");
        assertThat(storage.limitsOnRedisFailure()).isEqualTo(StorageSettings.OnStoreFailure.FAIL_CLOSED);
        assertThat(storage.budgetsOnRedisFailure()).isEqualTo(StorageSettings.OnStoreFailure.LOCAL);
        assertThat(storage.spillDir()).isEqualTo(Path.of("/var/spool/tollgate"));
        assertThat(storage.spillMaxBytes()).isEqualTo(64L << 20);

        assertThat(loaded.toString()).doesNotContain(Fixtures.CANARY);
    }

    @Test
    void withoutTheNewSectionsTheGatewayIsOpenWithDefaultStorage() {
        RuntimeSnapshot snapshot = loaded(loader().parse("t.yaml", Fixtures.MINIMAL)).snapshot();
        assertThat(snapshot.access()).isEqualTo(AccessPolicy.OPEN);
        assertThat(snapshot.prices()).isEmpty();
        assertThat(snapshot.model("gpt-4o-mini").deployments().getFirst().limits()).isEqualTo(Limits.NONE);
        Path here = Path.of("").toAbsolutePath();
        StorageSettings storage = snapshot.storage();
        assertThat(storage.ledger().reveal()).isEqualTo("sqlite:" + here.resolve("data/tollgate.db"));
        assertThat(storage.ledger()).hasToString("sqlite:" + here.resolve("data/tollgate.db"));
        assertThat(storage.redis()).isNull();
        assertThat(storage.redisPrefix()).isEqualTo("tollgate:");
        assertThat(storage.limitsOnRedisFailure()).isEqualTo(StorageSettings.OnStoreFailure.LOCAL);
        assertThat(storage.budgetsOnRedisFailure()).isEqualTo(StorageSettings.OnStoreFailure.FAIL_CLOSED);
        assertThat(storage.spillDir()).isEqualTo(here.resolve("data/tollgate.db.spill"));
        assertThat(storage.spillMaxBytes()).isEqualTo(1L << 30);
    }

    @Test
    void relativeStoragePathsResolveAgainstTheConfigFilesDirectory() throws IOException {
        Path configs = Files.createDirectories(dir.resolve("etc"));
        Path file = Files.writeString(configs.resolve("tollgate.yaml"),
                "storage: { ledger: 'sqlite:../state/spend.db' }\n" + Fixtures.MINIMAL);
        StorageSettings storage = loaded(loader().load(file)).snapshot().storage();
        assertThat(storage.ledger().reveal()).isEqualTo("sqlite:" + dir.resolve("state/spend.db").toAbsolutePath());
        assertThat(storage.spillDir()).isEqualTo(dir.resolve("state/spend.db.spill").toAbsolutePath());

        Files.writeString(file, "storage: { ledger: none, spill_dir: queue }\n" + Fixtures.MINIMAL);
        storage = loaded(loader().load(file)).snapshot().storage();
        assertThat(storage.ledger()).isNull();
        assertThat(storage.spillDir()).isEqualTo(configs.resolve("queue").toAbsolutePath());

        Files.writeString(file, "storage: { ledger: 'jdbc:postgresql://pg:5432/t' }\n" + Fixtures.MINIMAL);
        storage = loaded(loader().load(file)).snapshot().storage();
        assertThat(storage.ledger().reveal()).isEqualTo("postgresql://pg:5432/t");
        assertThat(storage.spillDir()).isEqualTo(configs.resolve("data/spill").toAbsolutePath());
    }

    @Test
    void aRawKeyIsNeverEchoed() {
        String raw = "tg-" + Fixtures.CANARY;
        String yaml = Fixtures.MINIMAL + """
                keys:
                  - { name: a, hash: "%s" }
                  - { name: b, key: "%s", hash: %s }
                  - { name: c, hash: "sha256:%s" }
                storage:
                  ledger: "postgresql://u:%s@/db"
                  redis: "redis://:%s@"
                """.formatted(raw, raw, HASH_A, raw, raw, raw);
        List<String> problems = problems(loader().parse("t.yaml", yaml));
        assertThat(problems).hasSize(5).noneMatch(p -> p.contains(Fixtures.CANARY));
        assertThat(problems.get(0)).startsWith("t.yaml:10:22: keys[0].hash: expected the key's SHA-256, not the key itself");
        assertThat(problems.get(1)).startsWith("t.yaml:11:16: keys[1].key: unknown key 'key': a key is configured by "
                + "its SHA-256 only, in hash");
    }

    private static final String EVERY_TYPE = """
            providers:
              openai:
                type: openai
                base_url: https://api.openai.com/v1
                api_key: ${env:OPENAI_API_KEY}
              azure:
                type: azure-openai
                base_url: https://my-resource.openai.azure.com
                api_key: ${env:AZURE_OPENAI_API_KEY}
                api_version: 2024-10-21
              anthropic:
                type: anthropic
                api_key: ${env:ANTHROPIC_API_KEY}
              anthropic-pinned:
                type: anthropic
                base_url: https://anthropic-proxy.internal:8443
                api_key: ${env:ANTHROPIC_API_KEY}
                auth_header: authorization
                api_version: "2023-06-01"
              gemini:
                type: gemini
                api_key: ${env:GEMINI_API_KEY}
              bedrock:
                type: bedrock
                region: eu-central-1
                aws_access_key_id: ${env:AWS_ACCESS_KEY_ID}
                aws_secret_access_key: ${env:AWS_SECRET_ACCESS_KEY}
              bedrock-temporary:
                type: bedrock
                region: us-west-2
                base_url: https://vpce-0abc.bedrock-runtime.us-west-2.vpce.amazonaws.com
                aws_access_key_id: ${env:AWS_ACCESS_KEY_ID}
                aws_secret_access_key: ${env:AWS_SECRET_ACCESS_KEY}
                aws_session_token: ${env:AWS_SESSION_TOKEN}
            models:
              chat:
                deployments:
                  - provider: openai
                  - provider: azure
                  - provider: anthropic
                  - provider: anthropic-pinned
                  - provider: gemini
                  - provider: bedrock
                  - provider: bedrock-temporary
            """;

    @Test
    void compilesEachProviderTypeWithItsDefaults() {
        LoadResult.Loaded loaded = loaded(loader().parse("t.yaml", EVERY_TYPE));
        assertThat(loaded.warnings()).isEmpty();
        var providers = loaded.snapshot().providers();

        Provider openai = providers.get("openai");
        assertThat(openai.authHeaders()).containsExactly(new Header("authorization", "Bearer " + Fixtures.CANARY));
        assertThat(openai.apiVersion()).isNull();
        assertThat(openai.aws()).isNull();

        Provider azure = providers.get("azure");
        assertThat(azure.type()).isEqualTo("azure-openai");
        assertThat(azure.baseUrl()).isEqualTo(URI.create("https://my-resource.openai.azure.com"));
        assertThat(azure.authHeaders()).containsExactly(new Header("api-key", Fixtures.CANARY + "-azure"));
        assertThat(azure.apiVersion()).isEqualTo("2024-10-21");
        assertThat(azure.aws()).isNull();

        // Left out, the API version is null: the adapter applies its own default.
        Provider anthropic = providers.get("anthropic");
        assertThat(anthropic.baseUrl()).isEqualTo(URI.create("https://api.anthropic.com"));
        assertThat(anthropic.authHeaders()).containsExactly(new Header("x-api-key", Fixtures.CANARY + "-anthropic"));
        assertThat(anthropic.apiVersion()).isNull();
        Provider pinned = providers.get("anthropic-pinned");
        assertThat(pinned.baseUrl()).isEqualTo(URI.create("https://anthropic-proxy.internal:8443"));
        assertThat(pinned.authHeaders()).containsExactly(
                new Header("authorization", "Bearer " + Fixtures.CANARY + "-anthropic"));
        assertThat(pinned.apiVersion()).isEqualTo("2023-06-01");

        Provider gemini = providers.get("gemini");
        assertThat(gemini.baseUrl()).isEqualTo(URI.create("https://generativelanguage.googleapis.com/v1beta"));
        assertThat(gemini.authHeaders()).containsExactly(new Header("x-goog-api-key", Fixtures.CANARY + "-gemini"));
        assertThat(gemini.apiVersion()).isNull();

        // Bedrock signs requests instead of sending a key.
        Provider bedrock = providers.get("bedrock");
        assertThat(bedrock.baseUrl()).isEqualTo(URI.create("https://bedrock-runtime.eu-central-1.amazonaws.com"));
        assertThat(bedrock.apiKey()).isNull();
        assertThat(bedrock.authHeaders()).isEmpty();
        assertThat(bedrock.aws()).isEqualTo(new AwsCredentials(
                new Secret("${env:AWS_ACCESS_KEY_ID}", Fixtures.CANARY + "-id"),
                new Secret("${env:AWS_SECRET_ACCESS_KEY}", Fixtures.CANARY + "-secret"),
                null,
                "eu-central-1"));
        Provider temporary = providers.get("bedrock-temporary");
        assertThat(temporary.baseUrl())
                .isEqualTo(URI.create("https://vpce-0abc.bedrock-runtime.us-west-2.vpce.amazonaws.com"));
        assertThat(temporary.aws().region()).isEqualTo("us-west-2");
        assertThat(temporary.aws().sessionToken().reveal()).isEqualTo(Fixtures.CANARY + "-session");

        assertThat(loaded.toString()).doesNotContain(Fixtures.CANARY);
    }

    @Test
    void aTypeTheGatewayDoesNotServeIsUnknownEvenWithRules() {
        // The server injects the types of the adapters it has. Without the Anthropic adapter, anthropic is refused, and
        // that is the only problem: no rules of another type (a required base_url) are applied in its place.
        var loader = new ConfigLoader(Set.of("openai", "mock"), Fixtures.ENV::get, new Fixtures.RecordingMocks());
        String yaml = "providers:\n  claude: { type: anthropic, api_key: '${env:ANTHROPIC_API_KEY}' }\n"
                + "models:\n  m: { deployments: [{ provider: claude }] }\n";
        assertThat(problems(loader.parse("t.yaml", yaml))).containsExactly(
                "t.yaml:2:19: providers.claude.type: unknown provider type 'anthropic'; known types: mock, openai");
    }

    @Test
    void aServedTypeWithoutRulesHereGetsOpenAisRules() {
        var loader = new ConfigLoader(Set.of("openai", "mock", "acme"), Fixtures.ENV::get, new Fixtures.RecordingMocks());
        String yaml = "providers:\n  acme: { type: acme, api_key: '${env:OPENAI_API_KEY}' }\n"
                + "models:\n  m: { deployments: [{ provider: acme }] }\n";
        assertThat(problems(loader.parse("t.yaml", yaml)))
                .containsExactly("t.yaml:2:9: providers.acme.base_url: required key is missing");
        Provider acme = loaded(loader.parse("t.yaml", yaml.replace("type: acme,", "type: acme, base_url: 'https://acme.example/v1',")))
                .snapshot().providers().get("acme");
        assertThat(acme.type()).isEqualTo("acme");
        assertThat(acme.authHeaders()).containsExactly(new Header("authorization", "Bearer " + Fixtures.CANARY));
    }

    @Test
    void defaultsApplyWhenSectionsAreLeftOut() {
        RuntimeSnapshot snapshot = loaded(loader().parse("t.yaml", "server:\n" + Fixtures.MINIMAL)).snapshot();
        assertThat(snapshot.server()).isEqualTo(ServerSettings.DEFAULTS);
        assertThat(snapshot.providers().get("openai").timeouts()).isEqualTo(Timeouts.DEFAULTS);
        assertThat(snapshot.providers().get("openai").apiKey()).isNull();
    }

    @Test
    void theMetricsSectionSaysWhetherKeysGetSeriesOfTheirOwn() {
        assertThat(loaded(loader().parse("t.yaml", Fixtures.MINIMAL)).snapshot().metrics())
                .isEqualTo(MetricsSettings.DEFAULTS);
        assertThat(MetricsSettings.DEFAULTS.perKeyLabels()).isTrue();
        assertThat(loaded(loader().parse("t.yaml", Fixtures.MINIMAL + "metrics: { per_key_labels: false }\n"))
                .snapshot().metrics().perKeyLabels()).isFalse();
        assertThat(problems(loader().parse("t.yaml", Fixtures.MINIMAL + "metrics:\n  per_key_labels: sometimes\n"
                + "  per_team_labels: true\n"))).containsExactly(
                "t.yaml:10:19: metrics.per_key_labels: expected true or false, got 'sometimes'",
                "t.yaml:11:3: metrics.per_team_labels: unknown key 'per_team_labels' (did you mean 'per_key_labels'?)");
    }

    @Test
    void emptyMockSectionMeansDefaultProfile() {
        var mocks = new Fixtures.RecordingMocks();
        loaded(loader(mocks).parse("t.yaml", "providers:\n  m: { type: mock }\nmodels:\n  x: { deployments: [{ provider: m }] }\n"));
        assertThat(mocks.profiles).containsExactly(MockProfile.DEFAULTS);
    }

    @Test
    void reportsEveryProblemAtOnceInFileOrder() {
        String yaml = """
                server:
                  listen: 0.0.0.0:99999
                  max_request_bytes: 10 MiB
                providers:
                  openai:
                    type: openai
                    base_ur: https://api.openai.com/v1
                    api_key: ${env:MISSING_KEY}
                  demo:
                    type: mock
                    mock: { chunks: 0 }
                models:
                  gpt-4o-mini:
                    mode: chat
                    deployments:
                      - { provider: opnai, weight: -1 }
                """;
        assertThat(problems(loader().parse("t.yaml", yaml))).containsExactly(
                "t.yaml:2:11: server.listen: port 99999 is out of range 0..65535 in '0.0.0.0:99999'",
                "t.yaml:3:22: server.max_request_bytes: expected a size such as 16KiB, 10MiB or 1048576 "
                        + "(units: B, KiB, MiB, GiB, KB, MB, GB), got '10 MiB'",
                "t.yaml:6:5: providers.openai.base_url: required key is missing",
                "t.yaml:7:5: providers.openai.base_ur: unknown key 'base_ur' (did you mean 'base_url'?)",
                "t.yaml:8:14: providers.openai.api_key: environment variable MISSING_KEY is not set "
                        + "(referenced as ${env:MISSING_KEY})",
                "t.yaml:11:21: providers.demo.mock.chunks: must be between 1 and 10000, got 0",
                "t.yaml:16:21: models.gpt-4o-mini.deployments[0].provider: unknown provider 'opnai' (did you mean 'openai'?)",
                "t.yaml:16:36: models.gpt-4o-mini.deployments[0].weight: must be between 1 and 10000, got -1");
    }

    @Test
    void anInvalidConfigStartsNoMockServer() {
        MockEndpoints refuse = (id, profile) -> {
            throw new AssertionError("mock server started for an invalid config");
        };
        String yaml = "providers:\n  demo: { type: mock }\nmodels:\n  m: { deployments: [{ provider: demo, weight: 0 }] }\n";
        assertThat(problems(loader(refuse).parse("t.yaml", yaml))).hasSize(1);
    }

    @Test
    void validateChecksEverythingButStartsNothing() throws IOException {
        MockEndpoints refuse = (id, profile) -> {
            throw new AssertionError("validate started a mock server");
        };
        Path good = Files.writeString(dir.resolve("good.yaml"), ConfigLoader.demoText());
        Path bad = Files.writeString(dir.resolve("bad.yaml"), Fixtures.MINIMAL.replace("provider: openai", "provider: nope"));
        assertThat(loader(refuse).validate(good).errors()).isEmpty();
        assertThat(loader(refuse).validate(bad).errors()).map(ConfigProblem::toString)
                .containsExactly(bad + ":8:19: models.gpt-4o-mini.deployments[0].provider: unknown provider 'nope'");
    }

    @Test
    void aMockServerThatCannotStartMakesTheLoadInvalid() {
        MockEndpoints busy = (id, profile) -> {
            throw new UncheckedIOException(new BindException("Address already in use"));
        };
        String yaml = "providers:\n  demo: { type: mock }\nmodels:\n  m: { deployments: [{ provider: demo }] }\n";
        assertThat(problems(loader(busy).parse("t.yaml", yaml))).containsExactly(
                "t.yaml:2:3: providers.demo: cannot start the mock server: java.io.UncheckedIOException: "
                        + "java.net.BindException: Address already in use");
    }

    @Test
    void loadsAFileAndNamesItInProblems() throws IOException {
        Path file = Files.writeString(dir.resolve("tollgate.yaml"), Fixtures.MINIMAL);
        assertThat(loaded(loader().load(file)).snapshot().source()).isEqualTo(file.toString());
        Files.writeString(file, Fixtures.MINIMAL + "extra: 1\n");
        assertThat(problems(loader().load(file))).containsExactly(file + ":9:1: extra: unknown key 'extra'; valid keys: "
                + "admin, auto_tier, budgets, cache, evaluation, experiments, guardrails, keys, metrics, models, prices, prompts, "
                + "providers, "
                + "resilience, review, server, shadow, splits, storage, teams, tiers, tracing");
    }

    @Test
    void unreadableFilesAreProblemsAboutTheWholeFile() throws IOException {
        Path missing = dir.resolve("missing.yaml");
        Path latin1 = Files.write(dir.resolve("latin1.yaml"), new byte[] {'a', ':', ' ', (byte) 0xe9, '\n'});
        Path huge = Files.write(dir.resolve("huge.yaml"), new byte[ConfigLoader.MAX_FILE_BYTES + 1]);
        assertThat(problems(loader().load(missing))).containsExactly(missing + ": no such file");
        assertThat(problems(loader().load(dir))).containsExactly(dir + ": is a directory, not a file");
        assertThat(problems(loader().load(latin1))).containsExactly(latin1 + ": is not UTF-8 text");
        assertThat(problems(loader().load(huge))).containsExactly(huge + ": is larger than 2MiB");
        assertThat(loader().validate(missing).errors()).map(ConfigProblem::toString).containsExactly(missing + ": no such file");
    }

    @Test
    void unusedProvidersAreWarnedAbout() {
        String yaml = Fixtures.MINIMAL.replace("models:", "  spare: { type: openai, base_url: http://127.0.0.1:8000/v1 }\nmodels:");
        assertThat(loaded(loader().parse("t.yaml", yaml)).warnings()).map(ConfigProblem::toString)
                .containsExactly("t.yaml:5:3: providers.spare: provider 'spare' is not used by any model");
    }

    @Test
    void anAuthHeaderWithoutAKeyIsWarnedAbout() {
        String yaml = Fixtures.MINIMAL.replace("base_url: https://api.openai.com/v1",
                "base_url: https://api.openai.com/v1\n    auth_header: api-key");
        assertThat(loaded(loader().parse("t.yaml", yaml)).warnings()).map(ConfigProblem::toString)
                .containsExactly("t.yaml:5:5: providers.openai.auth_header: has no effect without an api_key");
    }

    @Test
    void anchorsLetProvidersShareSettings() {
        String yaml = """
                providers:
                  a: { type: openai, base_url: http://127.0.0.1:1/v1, timeouts: &slow { first_byte: 2m } }
                  b: { type: openai, base_url: http://127.0.0.1:2/v1, timeouts: *slow }
                models:
                  m: { deployments: [{ provider: a }, { provider: b }] }
                """;
        RuntimeSnapshot snapshot = loaded(loader().parse("t.yaml", yaml)).snapshot();
        assertThat(snapshot.providers().get("b").timeouts().firstByte()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void theBuiltInDemoLoads() {
        var mocks = new Fixtures.RecordingMocks();
        LoadResult.Loaded demo = loaded(loader(mocks).loadDemo());
        RuntimeSnapshot snapshot = demo.snapshot();
        assertThat(demo.warnings()).isEmpty();
        assertThat(snapshot.source()).isEqualTo("built-in demo");
        assertThat(snapshot.server().listen()).isEqualTo(new HostPort("0.0.0.0", 8080));
        assertThat(snapshot.server().adminListen()).isEqualTo(new HostPort("127.0.0.1", 8081));
        assertThat(mocks.started).containsExactly("demo", "demo-slow");
        assertThat(mocks.profiles.get(0)).isEqualTo(new MockProfile(Duration.ofMillis(20), 400, 8, 24, 256, 0, 503, 0, 2, 42));
        assertThat(mocks.profiles.get(1)).isEqualTo(new MockProfile(Duration.ofMillis(150), 80, 8, 24, 256, 0, 503, 0, 2, 42));
        assertThat(snapshot.models().keySet()).containsExactly("demo-fast", "demo-smart", "demo-embed");
        assertThat(snapshot.model("demo-fast").deployments()).extracting(Deployment::id).containsExactly("demo-fast/demo/demo-fast");
        assertThat(snapshot.model("demo-smart").deployments()).extracting(Deployment::id)
                .containsExactly("demo-smart/demo-slow/demo-smart");
        assertThat(snapshot.model("demo-embed").operation()).isEqualTo(Operation.EMBEDDINGS);
        assertThat(snapshot.providers().values()).extracting(Provider::type).containsOnly("openai");
        assertThat(snapshot.access()).isEqualTo(AccessPolicy.OPEN);
        PromptRegistry prompts = snapshot.prompts();
        assertThat(prompts.prompts()).containsOnlyKeys("support-reply");
        assertThat(prompts.prompts().get("support-reply").versions()).containsOnlyKeys(1, 2);
        assertThat(prompts.prompts().get("support-reply").labels()).containsExactly(Map.entry("production", 1));
        assertThat(prompts.experiment("support-reply", Prompt.DEFAULT_LABEL).arms())
                .extracting(Experiment.Arm::version).containsExactly(1, 2);
    }

    @Test
    void problemsPrintAsFileLineColumnPathMessage() {
        assertThat(new ConfigProblem("a.yaml", 3, 7, "models.x", "bad")).hasToString("a.yaml:3:7: models.x: bad");
        assertThat(new ConfigProblem("a.yaml", 1, 1, "", "invalid YAML: x")).hasToString("a.yaml:1:1: invalid YAML: x");
        assertThat(new ConfigProblem("a.yaml", 0, 0, "", "no such file")).hasToString("a.yaml: no such file");
    }

    @Test
    void anInvalidResultHasAtLeastOneProblem() {
        assertThatThrownBy(() -> new LoadResult.Invalid(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void adminKeysAreHashesOrReferencesHashedAtLoad() {
        String hash = "sha256:" + "c".repeat(64);
        var snapshot = loaded(loader().parse("t.yaml", Fixtures.MINIMAL + """
                admin:
                  keys: ["%s", "${env:OPENAI_API_KEY}"]
                """.formatted(hash))).snapshot();
        assertThat(snapshot.access().adminKeys()).containsExactly(AdminKey.admin(KeyHash.parse(hash)),
                AdminKey.admin(KeyHash.of(Fixtures.ENV.get("OPENAI_API_KEY"))));
        assertThat(snapshot.access().toString()).doesNotContain(Fixtures.CANARY);
    }

    @Test
    void adminKeysMayHaveARoleAndAName() {
        String hash = "sha256:" + "c".repeat(64);
        var snapshot = loaded(loader().parse("t.yaml", Fixtures.MINIMAL + """
                admin:
                  keys:
                    - "%s"
                    - { hash: "${env:OPENAI_API_KEY}", role: viewer, name: ci-readonly }
                    - { hash: "sha256:%s", name: ops }
                """.formatted(hash, "d".repeat(64)))).snapshot();
        assertThat(snapshot.access().adminKeys()).containsExactly(AdminKey.admin(KeyHash.parse(hash)),
                new AdminKey(KeyHash.of(Fixtures.CANARY), AdminKey.Role.VIEWER, "ci-readonly"),
                new AdminKey(KeyHash.parse("sha256:" + "d".repeat(64)), AdminKey.Role.ADMIN, "ops"));
        assertThat(snapshot.access().adminKeys().get(0).actor()).isEqualTo("admin:cccccccccccc");
        assertThat(snapshot.access().adminKeys().get(1).actor()).isEqualTo("ci-readonly");
    }

    @Test
    void badAdminKeyEntriesAreProblems() {
        List<String> problems = problems(loader().parse("t.yaml", Fixtures.MINIMAL + """
                admin:
                  keys:
                    - { hash: "%s", role: owner, name: a }
                    - { role: viewer }
                    - { hash: "tg-%s", name: "bad name" }
                    - { hash: "sha256:%s", name: a, colour: red }
                """.formatted(HASH_A, Fixtures.CANARY, "e".repeat(64))));
        assertThat(problems).noneMatch(p -> p.contains(Fixtures.CANARY)).containsExactly(
                "t.yaml:11:96: admin.keys[0].role: expected admin or viewer, got 'owner'",
                "t.yaml:12:7: admin.keys[1].hash: required key is missing",
                "t.yaml:13:15: admin.keys[2].hash: expected sha256:<64 hex digits> or a ${env:NAME} / ${file:/path} "
                        + "reference; a raw admin key never goes in the file",
                "t.yaml:13:41: admin.keys[2].name: a name is 1 to 64 letters, digits, '.', '_' or '-', starting "
                        + "with a letter or digit",
                "t.yaml:14:96: admin.keys[3].name: admin key name 'a' is used twice",
                "t.yaml:14:99: admin.keys[3].colour: unknown key 'colour'; valid keys: hash, name, role");
    }

    @Test
    void adminEnabledWithoutKeysRefusesToStart() {
        assertThat(problems(loader().parse("t.yaml", Fixtures.MINIMAL + "admin: { enabled: true }\n")))
                .containsExactly("t.yaml:9:19: admin.enabled: admin.enabled is true but admin.keys is empty: the "
                        + "admin API never runs without a credential; add a key or set enabled: false");
    }

    @Test
    void adminKeysOpenTheApiUnlessItIsDisabled() {
        var on = loaded(loader().parse("t.yaml", Fixtures.MINIMAL + "admin: { keys: [\"" + HASH_A + "\"] }\n"));
        var off = loaded(loader().parse("t.yaml", Fixtures.MINIMAL + "admin: { enabled: false, keys: [\"" + HASH_A
                + "\"] }\n"));
        var absent = loaded(loader().parse("t.yaml", Fixtures.MINIMAL));
        assertThat(on.snapshot().access().adminKeys()).hasSize(1);
        assertThat(off.snapshot().access().adminKeys()).isEmpty();
        assertThat(absent.snapshot().access().adminKeys()).isEmpty();
    }

    @Test
    void oneSecretCannotBeBothAnAdminKeyAndAVirtualKey() {
        List<String> problems = problems(loader().parse("t.yaml", Fixtures.MINIMAL + """
                admin:
                  keys: ["%s"]
                keys:
                  - { name: app, hash: "%s" }
                """.formatted(HASH_A, HASH_A)));
        assertThat(problems).containsExactly("t.yaml:12:5: keys[0]: key 'app' has the hash of an admin key: the same "
                + "secret cannot be both a virtual key and an admin key (admin.keys)");
        assertThat(problems(loader().parse("t.yaml", Fixtures.MINIMAL + """
                admin: { enabled: false, keys: ["%s"] }
                keys:
                  - { name: app, hash: "%s" }
                """.formatted(HASH_A, HASH_A)))).as("a disabled API's keys count too").hasSize(1);
    }

    @Test
    void mockDeploymentsAreFreeUnlessPriced() {
        var snapshot = loaded(loader().parse("t.yaml", """
                providers:
                  m: { type: mock }
                  real: { type: openai, base_url: https://api.openai.com/v1 }
                prices:
                  priced-model: { input: 1, output: 2 }
                models:
                  free: { deployments: [ { provider: m, model: anything } ] }
                  priced: { deployments: [ { provider: m, model: priced-model } ] }
                  upstream: { deployments: [ { provider: real, model: other } ] }
                """)).snapshot();
        assertThat(snapshot.prices()).containsOnlyKeys("priced-model", "m/anything");
        assertThat(snapshot.prices().get("m/anything").worstCase(1_000_000, 1_000_000)).isEqualTo(Money.ZERO);
    }
}
