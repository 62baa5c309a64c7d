package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import dev.tollgate.core.prompt.PromptVersion;
import dev.tollgate.core.routing.Resilience;
import dev.tollgate.core.routing.Timeouts;
import dev.tollgate.core.runtime.MockProfile;
import dev.tollgate.core.runtime.ServerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds config/tollgate.schema.json to the binder: the same keys in every mapping, the same value patterns and
 * enums, so that the schema editors use cannot drift from what the loader accepts.
 */
class SchemaAgreementTest {
    private static JsonNode schema;

    @BeforeAll
    static void readSchema() throws IOException {
        Path file = Path.of("tollgate.schema.json");
        if (!Files.exists(file)) {
            file = Path.of("config", "tollgate.schema.json");
        }
        schema = new ObjectMapper().readTree(file.toFile());
    }

    private static JsonNode resolve(JsonNode node) {
        JsonNode ref = node.get("$ref");
        if (ref == null) {
            return node;
        }
        String prefix = "#/$defs/";
        assertThat(ref.asText()).startsWith(prefix);
        return resolve(schema.get("$defs").get(ref.asText().substring(prefix.length())));
    }

    /** Schema path ({@code providers.*}, {@code models.*.deployments[]}) to property names, for every object. */
    private static void collect(JsonNode node, String path, Map<String, Set<String>> keys) {
        node = resolve(node);
        JsonNode properties = node.get("properties");
        if (properties != null) {
            Set<String> names = new HashSet<>();
            properties.fieldNames().forEachRemaining(names::add);
            keys.put(path, names);
            properties.properties().forEach(p -> collect(p.getValue(), Origin.keyPath(path, p.getKey()), keys));
        }
        JsonNode additional = node.get("additionalProperties");
        if (additional != null && additional.isObject()) {
            collect(additional, path + ".*", keys);
        }
        JsonNode items = node.get("items");
        if (items != null) {
            collect(items, path + "[]", keys);
        }
        // A value of several shapes (an admin key: a hash, or a mapping with one) is each of its branches.
        JsonNode branches = node.get("oneOf");
        if (branches != null) {
            branches.forEach(branch -> collect(branch, path, keys));
        }
    }

    @Test
    void everyMappingHasTheKeysTheBinderAccepts() {
        Map<String, Set<String>> fromSchema = new TreeMap<>();
        collect(schema, "", fromSchema);
        assertThat(fromSchema).isEqualTo(new TreeMap<>(ConfigBinder.vocabulary()));
    }

    @Test
    void everyFixedShapeObjectForbidsOtherKeys() {
        List<String> open = new ArrayList<>();
        schema.get("$defs").properties().forEach(def -> {
            if (def.getValue().has("properties") && !def.getValue().path("additionalProperties").equals(BooleanNode.FALSE)) {
                open.add(def.getKey());
            }
        });
        assertThat(open).isEmpty();
        assertThat(schema.get("additionalProperties")).isEqualTo(BooleanNode.FALSE);
    }

    @Test
    void valuePatternsAreTheBindersPatterns() {
        JsonNode defs = schema.get("$defs");
        assertThat(defs.at("/duration/oneOf/0/pattern").asText()).isEqualTo(DurationSyntax.PATTERN);
        assertThat(defs.at("/size/oneOf/0/pattern").asText()).isEqualTo(SizeSyntax.PATTERN);
        assertThat(defs.at("/hostPort/pattern").asText()).isEqualTo(HostPortSyntax.PATTERN);
        assertThat(schema.at("/properties/providers/propertyNames/pattern").asText()).isEqualTo(ProvidersSection.ID_PATTERN);
        assertThat(defs.at("/deployment/properties/provider/pattern").asText()).isEqualTo(ProvidersSection.ID_PATTERN);
        assertThat(defs.at("/provider/properties/auth_header/pattern").asText())
                .isEqualTo(ProvidersSection.HEADER_NAME_PATTERN);
        assertThat(defs.at("/provider/properties/headers/propertyNames/pattern").asText())
                .isEqualTo(ProvidersSection.HEADER_NAME_PATTERN);
        assertThat(defs.at("/provider/properties/region/pattern").asText()).isEqualTo(ProvidersSection.REGION_PATTERN);
        assertThat(defs.at("/provider/properties/api_version/pattern").asText())
                .isEqualTo(ProvidersSection.API_VERSION_PATTERN);
        assertThat(schema.at("/properties/models/propertyNames/not/const").asText()).isEqualTo(ModelsSection.RESERVED_NAME);
        assertThat(schema.at("/properties/tiers/propertyNames/pattern").asText()).isEqualTo(TiersSection.NAME_PATTERN);
        assertThat(defs.at("/auto_tier/properties/default/pattern").asText()).isEqualTo(TiersSection.NAME_PATTERN);
        assertThat(defs.at("/tier_rule/properties/tier/pattern").asText()).isEqualTo(TiersSection.NAME_PATTERN);
        assertThat(defs.at("/tags/propertyNames/pattern").asText()).isEqualTo(ModelsSection.TAG_NAME_PATTERN);
        assertThat(defs.at("/tags/maxProperties").asInt()).isEqualTo(ModelsSection.MAX_TAGS);
        assertThat(defs.at("/route_rule/properties/name/pattern").asText()).isEqualTo(TeamsSection.NAME_PATTERN);
        assertThat(defs.at("/tier_rule/properties/name/pattern").asText()).isEqualTo(TeamsSection.NAME_PATTERN);
        assertThat(schema.at("/properties/splits/propertyNames/pattern").asText()).isEqualTo(TeamsSection.NAME_PATTERN);
        assertThat(defs.at("/condition/properties/header/propertyNames/pattern").asText())
                .isEqualTo(ProvidersSection.HEADER_NAME_PATTERN);
        assertThat(defs.at("/condition/properties/matches/maxLength").asInt())
                .isEqualTo(ConditionSection.MAX_PATTERN_CHARS);
        assertThat(schema.at("/properties/prompts/propertyNames/pattern").asText()).isEqualTo(TeamsSection.NAME_PATTERN);
        assertThat(schema.at("/properties/experiments/propertyNames/pattern").asText())
                .isEqualTo(TeamsSection.NAME_PATTERN);
        assertThat(defs.at("/prompt/properties/labels/propertyNames/pattern").asText())
                .isEqualTo(TeamsSection.NAME_PATTERN);
        assertThat(defs.at("/experiment/properties/arms/propertyNames/pattern").asText())
                .isEqualTo(TeamsSection.NAME_PATTERN);
        assertThat(defs.at("/prompt_versions/propertyNames/pattern").asText()).isEqualTo(PromptsSection.VERSION_PATTERN);
        assertThat(defs.at("/prompt/properties/labels/additionalProperties/maximum").asInt())
                .isEqualTo(PromptVersion.MAX_NUMBER);
        assertThat(defs.at("/experiment_arm/properties/version/maximum").asInt()).isEqualTo(PromptVersion.MAX_NUMBER);
        assertThat(defs.at("/prompt_params/properties/stop/oneOf/1/maxItems").asInt()).isEqualTo(PromptsSection.MAX_STOP);
        assertThat(defs.at("/experiment_arm/properties/weight/maximum").asInt()).isEqualTo(ModelsSection.MAX_WEIGHT);
    }

    @Test
    void guardrailEnumsAreTheBindersNames() {
        JsonNode guardrail = schema.at("/$defs/guardrail/properties");
        assertThat(texts(guardrail.at("/kind/enum"))).containsExactlyElementsOf(GuardrailsSection.KINDS);
        assertThat(texts(guardrail.at("/action/enum"))).containsExactlyElementsOf(GuardrailsSection.ACTIONS);
        assertThat(texts(guardrail.at("/applies_to/enum"))).containsExactlyElementsOf(GuardrailsSection.STAGES);
        assertThat(texts(guardrail.at("/types/items/enum"))).containsExactlyElementsOf(GuardrailsSection.typeNames());
        assertThat(guardrail.at("/terms/maxItems").asInt()).isEqualTo(GuardrailsSection.MAX_TERMS);
        assertThat(guardrail.at("/regexes/maxItems").asInt()).isEqualTo(GuardrailsSection.MAX_REGEXES);
        assertThat(guardrail.at("/regexes/items/maxLength").asInt()).isEqualTo(GuardrailsSection.MAX_REGEX_CHARS);
        assertThat(schema.at("/properties/guardrails/propertyNames/pattern").asText())
                .isEqualTo(TeamsSection.NAME_PATTERN);
        assertThat(schema.at("/$defs/guardrail_names/items/pattern").asText()).isEqualTo(TeamsSection.NAME_PATTERN);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void enumsAreTheBindersNames() {
        List<String> modes = new ArrayList<>();
        schema.at("/$defs/model/properties/mode/enum").forEach(m -> modes.add(m.asText()));
        assertThat(modes).containsExactlyElementsOf(ModelsSection.MODES.keySet());
        List<String> types = new ArrayList<>();
        schema.at("/$defs/provider/properties/type/enum").forEach(t -> types.add(t.asText()));
        assertThat(types).containsExactlyElementsOf(ProviderType.KNOWN.keySet());
        assertThat(types).containsExactlyInAnyOrderElementsOf(Fixtures.TYPES);
        List<String> strategies = new ArrayList<>();
        schema.at("/$defs/model/properties/strategy/enum").forEach(t -> strategies.add(t.asText()));
        assertThat(strategies).containsExactlyElementsOf(ModelsSection.STRATEGIES.keySet());
        List<String> sticky = new ArrayList<>();
        schema.at("/$defs/split/properties/sticky/enum").forEach(t -> sticky.add(t.asText()));
        assertThat(sticky).containsExactlyElementsOf(SplitsSection.STICKY.keySet());
        List<String> experimentSticky = new ArrayList<>();
        schema.at("/$defs/experiment/properties/sticky/enum").forEach(t -> experimentSticky.add(t.asText()));
        assertThat(experimentSticky).containsExactlyElementsOf(SplitsSection.STICKY.keySet());
        List<String> roles = new ArrayList<>();
        schema.at("/$defs/prompt_message/properties/role/enum").forEach(t -> roles.add(t.asText()));
        assertThat(roles).containsExactlyElementsOf(PromptsSection.ROLES.keySet());
        for (String def : List.of("cache", "model_cache")) {
            List<String> scopes = new ArrayList<>();
            schema.at("/$defs/" + def + "/properties/scope/enum").forEach(t -> scopes.add(t.asText()));
            assertThat(scopes).as(def).containsExactlyElementsOf(CacheSection.SCOPES.keySet());
            List<String> cacheModes = new ArrayList<>();
            schema.at("/$defs/" + def + "/properties/mode/enum").forEach(t -> cacheModes.add(t.asText()));
            assertThat(cacheModes).as(def).containsExactlyElementsOf(CacheSection.MODES.keySet());
        }
    }

    /** Whether the {@code if} of a provider condition holds for {@code type}. */
    private static boolean holds(JsonNode condition, String type) {
        JsonNode test = condition.at("/properties/type");
        boolean negated = test.has("not");
        JsonNode positive = negated ? test.get("not") : test;
        boolean matches = positive.has("const")
                ? positive.get("const").asText().equals(type)
                : java.util.stream.StreamSupport.stream(positive.get("enum").spliterator(), false)
                        .anyMatch(t -> t.asText().equals(type));
        return matches != negated;
    }

    /** The {@code then} or {@code else} parts of the provider's conditions that apply to {@code type}. */
    private static List<JsonNode> branchesFor(String type) {
        List<JsonNode> branches = new ArrayList<>();
        schema.at("/$defs/provider/allOf").forEach(c -> {
            JsonNode branch = c.get(holds(c.get("if"), type) ? "then" : "else");
            if (branch != null) {
                branches.add(branch);
            }
        });
        return branches;
    }

    /** Per type, what the schema says: required keys, keys set to false, and defaults. */
    private record TypeRules(Set<String> required, Set<String> forbidden, Map<String, String> defaults) {}

    private static TypeRules schemaRules(String type) {
        Set<String> required = new java.util.TreeSet<>();
        Set<String> forbidden = new java.util.TreeSet<>();
        Map<String, String> defaults = new TreeMap<>();
        schema.at("/$defs/provider/required").forEach(r -> required.add(r.asText()));
        for (JsonNode branch : branchesFor(type)) {
            branch.path("required").forEach(r -> required.add(r.asText()));
            branch.path("properties").properties().forEach(p -> {
                if (p.getValue().equals(BooleanNode.FALSE)) {
                    forbidden.add(p.getKey());
                } else if (p.getValue().has("default")) {
                    defaults.put(p.getKey(), p.getValue().get("default").asText());
                }
            });
        }
        required.remove("type");
        return new TypeRules(required, forbidden, defaults);
    }

    /** A value the binder accepts for each provider key, so that only the type's rules decide what is reported. */
    private static final Map<String, String> SAMPLE_VALUES = Map.ofEntries(
            Map.entry("base_url", "https://upstream.example"),
            Map.entry("api_key", "${env:OPENAI_API_KEY}"),
            Map.entry("auth_header", "x-key"),
            Map.entry("api_version", "2024-10-21"),
            Map.entry("region", "eu-west-3"),
            Map.entry("aws_access_key_id", "${env:AWS_ACCESS_KEY_ID}"),
            Map.entry("aws_secret_access_key", "${env:AWS_SECRET_ACCESS_KEY}"),
            Map.entry("aws_session_token", "${env:AWS_SESSION_TOKEN}"),
            Map.entry("headers", "{}"),
            Map.entry("timeouts", "{}"),
            Map.entry("mock", "{}"));

    private static String providerWith(String type, Set<String> keys) {
        var yaml = new StringBuilder("providers:\n  p:\n    type: " + type + "\n");
        keys.forEach(k -> yaml.append("    ").append(k).append(": ").append(SAMPLE_VALUES.get(k)).append('\n'));
        return yaml.append("models:\n  m: { deployments: [{ provider: p }] }\n").toString();
    }

    private static List<String> errors(LoadResult result) {
        return result instanceof LoadResult.Invalid invalid
                ? invalid.problems().stream().map(ConfigProblem::toString).toList()
                : List.of();
    }

    /** The keys of the {@code problems} that say {@code message}. */
    private static Set<String> keysReported(List<String> problems, String message) {
        Set<String> keys = new java.util.TreeSet<>();
        for (String problem : problems) {
            if (problem.contains(message)) {
                keys.add(problem.replaceFirst("^t\\.yaml:\\d+:\\d+: providers\\.p\\.([a-z_]+): .*$", "$1"));
            }
        }
        return keys;
    }

    @Test
    void perTypeRulesAreTheBindersRules() {
        assertThat(SAMPLE_VALUES.keySet()).isEqualTo(ConfigBinder.vocabulary().get("providers.*")
                .stream().filter(k -> !k.equals("type")).collect(java.util.stream.Collectors.toSet()));
        for (String type : ProviderType.KNOWN.keySet()) {
            TypeRules rules = schemaRules(type);
            List<String> bare = errors(Fixtures.loader().parse("t.yaml", providerWith(type, Set.of())));
            assertThat(keysReported(bare, "required key is missing")).as(type + " requires").isEqualTo(rules.required());

            List<String> full = errors(Fixtures.loader().parse("t.yaml",
                    providerWith(type, new java.util.TreeSet<>(SAMPLE_VALUES.keySet()))));
            assertThat(keysReported(full, "not allowed")).as(type + " forbids").isEqualTo(rules.forbidden());
            assertThat(full).as(type).allMatch(p -> p.contains("not allowed"));

            if (ProviderType.of(type).isMock()) {
                continue;
            }
            var provider = Fixtures.loaded(Fixtures.loader().parse("t.yaml", providerWith(type, rules.required())))
                    .snapshot().providers().get("p");
            String authHeader = rules.defaults().get("auth_header");
            if (authHeader != null) {
                assertThat(provider.authHeader()).as(type + " auth_header").isEqualTo(authHeader);
            }
            String baseUrl = rules.defaults().get("base_url");
            if (baseUrl != null) {
                assertThat(provider.baseUrl()).as(type + " base_url").hasToString(baseUrl);
            } else if (!rules.required().contains("base_url")) {
                // A default that depends on the region is in the description rather than a default editors would insert.
                String template = provider.baseUrl().toString().replace(SAMPLE_VALUES.get("region"), "{region}");
                assertThat(schema.at("/$defs/provider/properties/base_url/description").asText()).contains(template);
            }
        }
    }

    @Test
    void boundsAreTheBindersBounds() {
        assertThat(schema.at("/$defs/server/properties/io_threads/maximum").asInt()).isEqualTo(ServerSection.MAX_IO_THREADS);
        assertThat(schema.at("/$defs/deployment/properties/weight/maximum").asInt()).isEqualTo(ModelsSection.MAX_WEIGHT);
        assertThat(schema.at("/properties/models/propertyNames/maxLength").asInt()).isEqualTo(ModelsSection.MAX_NAME_LENGTH);
        JsonNode mock = schema.at("/$defs/mock/properties");
        assertThat(mock.at("/tokens_per_second/maximum").asDouble()).isEqualTo(MockSection.MAX_TOKENS_PER_SECOND);
        assertThat(mock.at("/chunks/maximum").asInt()).isEqualTo(MockSection.MAX_CHUNKS);
        assertThat(mock.at("/answer_words/maximum").asInt()).isEqualTo(MockSection.MAX_ANSWER_WORDS);
        assertThat(mock.at("/embedding_dimensions/maximum").asInt()).isEqualTo(MockSection.MAX_EMBEDDING_DIMENSIONS);
        assertThat(schema.at("/$defs/faults/properties/reset_after_chunks/maximum").asInt()).isEqualTo(MockSection.MAX_CHUNKS);
    }

    private static List<String> texts(String pointer) {
        List<String> texts = new ArrayList<>();
        schema.at(pointer).forEach(t -> texts.add(t.asText()));
        return texts;
    }

    @Test
    void accessAndStorageVocabularyIsTheBinders() {
        JsonNode defs = schema.get("$defs");
        assertThat(texts("/$defs/budget/properties/period/enum")).containsExactlyElementsOf(QuotaSection.PERIODS.keySet());
        assertThat(texts("/$defs/budgets/properties/unpriced/enum")).containsExactlyElementsOf(BudgetsSection.UNPRICED.keySet());
        assertThat(texts("/$defs/key/properties/endpoints/items/enum")).containsExactlyElementsOf(KeysSection.ENDPOINTS);
        assertThat(texts("/$defs/on_redis_failure/properties/limits/enum"))
                .containsExactlyElementsOf(StorageSection.ON_FAILURE.keySet())
                .isEqualTo(texts("/$defs/on_redis_failure/properties/budgets/enum"));
        assertThat(defs.at("/key/properties/hash/pattern").asText()).isEqualTo(KeysSection.HASH_PATTERN);
        assertThat(defs.at("/key/properties/name/pattern").asText()).isEqualTo(TeamsSection.NAME_PATTERN);
        assertThat(defs.at("/key/properties/team/pattern").asText()).isEqualTo(TeamsSection.NAME_PATTERN);
        assertThat(schema.at("/properties/teams/propertyNames/pattern").asText()).isEqualTo(TeamsSection.NAME_PATTERN);
        assertThat(schema.at("/properties/teams/propertyNames/maxLength").asInt()).isEqualTo(TeamsSection.MAX_NAME_LENGTH);
        assertThat(defs.at("/key/properties/name/maxLength").asInt()).isEqualTo(TeamsSection.MAX_NAME_LENGTH);
        assertThat(defs.at("/limits/properties/rpm/maximum").asLong()).isEqualTo(QuotaSection.MAX_PER_MINUTE);
        assertThat(defs.at("/limits/properties/tpm/maximum").asLong()).isEqualTo(QuotaSection.MAX_PER_MINUTE);
        assertThat(defs.at("/limits/properties/concurrent/maximum").asInt()).isEqualTo(QuotaSection.MAX_CONCURRENT);
        assertThat(defs.at("/price/properties/max_output_tokens/maximum").asLong()).isEqualTo(PricesSection.MAX_OUTPUT_TOKENS);
        assertSameVerdicts(defs.at("/key/properties/hash/pattern").asText(), KeysSection::hash, List.of(
                "sha256:" + "0123456789abcdef".repeat(4), "sha256:" + "A".repeat(64), "a".repeat(64),
                "sha256:" + "a".repeat(63), "sha256:" + "a".repeat(65), "tg-abc", "sha256:", " sha256:" + "a".repeat(64)));
    }

    @Test
    void accessAndStorageDefaultsAreTheBinders() {
        // A file that writes every default out must compile to what a file without the sections compiles to.
        String written = """
                storage: %s
                budgets: %s
                """.formatted(
                        defaults("storage").replace(" }", ", on_redis_failure: " + defaults("on_redis_failure") + " }"),
                        defaults("budgets"))
                + Fixtures.MINIMAL;
        var explicit = Fixtures.loaded(Fixtures.loader().parse("t.yaml", written));
        var implicit = Fixtures.loaded(Fixtures.loader().parse("t.yaml", Fixtures.MINIMAL)).snapshot();
        assertThat(written).contains("ledger: 'sqlite:data/tollgate.db'", "time_zone: 'UTC'", "unpriced: 'reject'",
                "budgets: 'fail_closed'");
        // Warned about only because it is written without redis, which is exactly what the default means.
        assertThat(explicit.warnings()).map(ConfigProblem::message).containsExactly("has no effect without redis");
        assertThat(explicit.snapshot().storage()).isEqualTo(implicit.storage());
        assertThat(explicit.snapshot().access()).isEqualTo(implicit.access());
    }

    /** Whether {@code parse} accepts {@code text}. */
    private static boolean accepts(java.util.function.Consumer<String> parse, String text) {
        try {
            parse.accept(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void assertSameVerdicts(String schemaPattern, java.util.function.Consumer<String> parse,
            List<String> samples) {
        Pattern pattern = Pattern.compile(schemaPattern);
        for (String sample : samples) {
            assertThat(pattern.matcher(sample).find()).as(sample).isEqualTo(accepts(parse, sample));
        }
    }

    @Test
    void schemaPatternsAcceptWhatTheBinderAccepts() {
        JsonNode defs = schema.get("$defs");
        assertSameVerdicts(defs.at("/duration/oneOf/0/pattern").asText(), DurationSyntax::parse, List.of(
                "0", "250ms", "15s", "10m", "1h", "00", "15", "1.5s", "1h30m", "5 s", "5S", "-5s", "1d", ""));
        assertSameVerdicts(defs.at("/size/oneOf/0/pattern").asText(), SizeSyntax::parse, List.of(
                "0", "512B", "16KiB", "10MiB", "1GiB", "100KB", "5MB", "2GB", "10mib", "10 MiB", "1.5MiB", "-1", "MiB", "1TiB"));
        assertSameVerdicts(defs.at("/hostPort/pattern").asText(), HostPortSyntax::parse, List.of(
                "0.0.0.0:8080", "[::1]:8080", "localhost:0", "[fe80::1%eth0]:1", "8080", ":8080", "::1:8080",
                "a_b:80", "-a:80", "a-:80"));
        JsonNode provider = defs.at("/provider/properties");
        assertSameVerdicts(provider.at("/region/pattern").asText(), ProvidersSection::region, List.of(
                "us-east-1", "eu-central-2", "ap-southeast-4", "us-gov-west-1", "US-EAST-1", "us-east", "useast1",
                "us-east-1a", "u-east-1", " us-east-1", ""));
        assertSameVerdicts(provider.at("/api_version/pattern").asText(), ProvidersSection::apiVersion, List.of(
                "2024-10-21", "2025-04-01-preview", "2023-06-01", "v1.2_beta", "preview", "2024 10 21", "-1",
                "2024-10-21?x=1", "2024/10", ""));
    }

    @Test
    void schemaSecretPatternAcceptsTheReferencesTheLoaderResolves() throws IOException {
        Path file = Files.createTempFile("tollgate-secret", ".txt");
        try {
            Files.writeString(file, "value");
            var references = new SecretReferences(name -> "value");
            Pattern reference = Pattern.compile(schema.at("/$defs/secret/then/pattern").asText());
            for (String sample : List.of("${env:OPENAI_API_KEY}", "${env:_A1}", "${file:" + file + "}",
                    "${env:1A}", "${env:A-B}", "${env:}", "${file:relative}", "${vault:x}", "${env:A", "${env:A}}")) {
                var problems = new Diagnostics("t.yaml");
                boolean resolves = references.resolve(sample, Origin.FILE, problems) != null;
                assertThat(reference.matcher(sample).find()).as(sample).isEqualTo(resolves);
            }
        } finally {
            Files.delete(file);
        }
    }

    /** A flow mapping of every key of {@code $defs/name} that has a default, set to that default. */
    private static String defaults(String name) {
        List<String> pairs = new ArrayList<>();
        schema.at("/$defs/" + name + "/properties").properties().forEach(p -> {
            if (p.getValue().has("default")) {
                pairs.add(p.getKey() + ": '" + p.getValue().get("default").asText() + "'");
            }
        });
        return "{ " + String.join(", ", pairs) + " }";
    }

    @Test
    void schemaDefaultsAreTheBindersDefaults() {
        // Every default is quoted, then numbers and booleans unquoted again: the binder wants those as YAML numbers.
        String yaml = """
                server: %s
                providers:
                  openai: { type: openai, base_url: https://api.openai.com/v1, timeouts: %s }
                  demo: { type: mock, mock: %s }
                models:
                  m: { deployments: [{ provider: openai }, { provider: demo }] }
                """.formatted(defaults("server"), defaults("timeouts"),
                        defaults("mock").replace(" }", ", faults: " + defaults("faults") + " }"))
                .replaceAll("'(true|false|-?[0-9.]+)'", "$1");
        var mocks = new Fixtures.RecordingMocks();
        var snapshot = Fixtures.loaded(Fixtures.loader(mocks).parse("t.yaml", yaml)).snapshot();
        assertThat(snapshot.server()).isEqualTo(ServerSettings.DEFAULTS);
        assertThat(snapshot.providers().get("openai").timeouts()).isEqualTo(Timeouts.DEFAULTS);
        assertThat(mocks.profiles).containsExactly(MockProfile.DEFAULTS);
    }

    @Test
    void resilienceDefaultsAreTheCoreDefaults() {
        String yaml = Fixtures.MINIMAL + """
                resilience:
                  retries: %s
                  circuit_breaker: %s
                  client: %s
                  max_concurrent_per_deployment: %s
                """.formatted(defaults("retries"), defaults("circuit_breaker"), defaults("client_controls"),
                        schema.at("/$defs/resilience/properties/max_concurrent_per_deployment/default").asText())
                .replaceAll("'(true|false|-?[0-9.]+)'", "$1");
        var snapshot = Fixtures.loaded(Fixtures.loader().parse("t.yaml", yaml)).snapshot();
        assertThat(snapshot.routing().resilience()).isEqualTo(Resilience.DEFAULTS);
    }
}
