package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.access.AccessPolicy;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.access.VirtualKey;
import dev.tollgate.core.routing.ModelGroup;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.routing.RoutingTable;
import dev.tollgate.core.routing.TierRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The ready-to-run configs in the repository's examples/ directory stay valid, and the demo copy stays exact. */
class ExamplesTest {
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

    /** examples/ at the repository root; Maven runs tests from the module directory. */
    private static Path examples() {
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !Files.isDirectory(root.resolve("examples"))) {
            root = root.getParent();
        }
        assertThat(root).as("examples/ above " + Path.of("").toAbsolutePath()).isNotNull();
        return root.resolve("examples");
    }

    static Stream<Path> exampleFiles() throws IOException {
        try (Stream<Path> files = Files.list(examples())) {
            List<Path> yaml = files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted().toList();
            return yaml.stream();
        }
    }

    @Test
    void theExamplesAreThere() throws IOException {
        assertThat(exampleFiles().map(f -> f.getFileName().toString())).contains(
                "demo.yaml", "openai.yaml", "local-openai-compatible.yaml", "anthropic.yaml", "gemini.yaml",
                "azure-openai.yaml", "bedrock.yaml", "multi-provider.yaml", "keys-and-budgets.yaml", "tiers.yaml",
                "evaluation.yaml");
    }

    /** A loader whose fake environment defines every variable {@code file} references. */
    private static ConfigLoader loaderFor(Path file) throws IOException {
        Map<String, String> env = new HashMap<>();
        Matcher m = ENV_REFERENCE.matcher(Files.readString(file));
        while (m.find()) {
            env.put(m.group(1), "test-value-of-" + m.group(1));
        }
        return new ConfigLoader(Fixtures.TYPES, env::get, new Fixtures.RecordingMocks());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exampleFiles")
    void everyExampleIsValid(Path file) throws IOException {
        ConfigLoader loader = loaderFor(file);
        assertThat(loader.validate(file).errors()).isEmpty();
        LoadResult.Loaded loaded = Fixtures.loaded(loader.load(file));
        assertThat(loaded.warnings()).isEmpty();
        assertThat(loaded.snapshot().models()).isNotEmpty();
    }

    @Test
    void theProviderExamplesUseTheirProviderTypes() throws IOException {
        Map<String, List<String>> expected = Map.of(
                "anthropic.yaml", List.of("anthropic"),
                "gemini.yaml", List.of("gemini"),
                "azure-openai.yaml", List.of("azure-openai"),
                "bedrock.yaml", List.of("bedrock"),
                "multi-provider.yaml", List.of("openai", "anthropic", "gemini"));
        for (var example : expected.entrySet()) {
            Path file = examples().resolve(example.getKey());
            var snapshot = Fixtures.loaded(loaderFor(file).load(file)).snapshot();
            assertThat(snapshot.providers().values()).as(example.getKey())
                    .extracting(Provider::type).containsExactlyElementsOf(example.getValue());
        }
        Path bedrock = examples().resolve("bedrock.yaml");
        Provider aws = Fixtures.loaded(loaderFor(bedrock).load(bedrock)).snapshot().providers().get("bedrock");
        assertThat(aws.aws().accessKeyId().reference()).isEqualTo("${env:AWS_ACCESS_KEY_ID}");
        assertThat(aws.aws().secretAccessKey().reference()).isEqualTo("${env:AWS_SECRET_ACCESS_KEY}");
        assertThat(aws.baseUrl()).hasToString("https://bedrock-runtime." + aws.aws().region() + ".amazonaws.com");
    }

    @Test
    void theKeysExampleClosesTheGatewayWithTeamsKeysAndBudgets() throws IOException {
        Path file = examples().resolve("keys-and-budgets.yaml");
        var snapshot = Fixtures.loaded(loaderFor(file).load(file)).snapshot();
        AccessPolicy access = snapshot.access();
        assertThat(access.teams()).hasSize(2);
        assertThat(access.keys()).extracting(VirtualKey::name).containsExactly("support-bot", "support-agent", "research-notebook");
        // The published example keys hash to what the file holds.
        assertThat(access.keys()).extracting(VirtualKey::hash).containsExactly(
                KeyHash.of("tg-example-support-bot"), KeyHash.of("tg-example-support-agent"),
                KeyHash.of("tg-example-research-notebook"));
        assertThat(access.keys().getFirst().perUser()).isNotNull();
        assertThat(access.globalBudget()).isNotNull();
        assertThat(snapshot.prices()).containsKeys("demo-fast", "demo-slow/demo-smart");
        assertThat(snapshot.providers().values()).extracting(Provider::type).containsOnly("openai");
        assertThat(snapshot.storage().ledger().reveal()).isEqualTo("sqlite:" + examples().resolve("data/tollgate.db"));
    }

    @Test
    void theTiersExampleRoutesByTierWithAFallbackASplitAndAShadow() throws IOException {
        Path file = examples().resolve("tiers.yaml");
        var snapshot = Fixtures.loaded(loaderFor(file).load(file)).snapshot();
        RoutingTable routing = snapshot.routing();
        assertThat(routing.tiers()).containsOnlyKeys("economy", "standard", "premium");
        assertThat(routing.autoTier().defaultTier()).isEqualTo("economy");
        assertThat(routing.autoTier().rules()).extracting(TierRule::tier).contains("premium", "standard");
        assertThat(routing.splits()).isNotEmpty();
        assertThat(routing.shadows()).isNotEmpty();
        assertThat(snapshot.providers().values()).extracting(Provider::type).containsOnly("openai");
        // The fallback can be seen: the premium tier's first model always fails and falls back.
        ModelGroup first = snapshot.model(routing.tiers().get("premium").models().getFirst());
        assertThat(first.policy().fallbacks().onError()).isNotEmpty();
        assertThat(snapshot.model("balanced").deployments()).hasSize(2);
    }

    @Test
    void theDemoExampleIsTheBuiltInDemo() throws IOException {
        assertThat(Files.readString(examples().resolve("demo.yaml"))).isEqualTo(ConfigLoader.demoText());
    }
}
