package dev.tollgate.config;

import static dev.tollgate.config.Fixtures.loaded;
import static dev.tollgate.config.Fixtures.loader;
import static dev.tollgate.config.Fixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.routing.AutoTier;
import dev.tollgate.core.routing.Condition;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.Fallbacks;
import dev.tollgate.core.routing.GroupPolicy;
import dev.tollgate.core.routing.ModelGroup;
import dev.tollgate.core.routing.Resilience;
import dev.tollgate.core.routing.RouteRule;
import dev.tollgate.core.routing.RoutingTable;
import dev.tollgate.core.routing.Shadow;
import dev.tollgate.core.routing.Split;
import dev.tollgate.core.routing.Strategy;
import dev.tollgate.core.routing.Tier;
import dev.tollgate.core.routing.TierRule;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The routing sections: what a valid file compiles to, and the exact problem each bad edit gets. */
class RoutingConfigTest {

    private static final String ROUTING = """
            providers:
              openai: { type: openai, base_url: https://api.openai.com/v1 }
              vllm: { type: openai, base_url: http://vllm-1:8000/v1 }
              demo: { type: mock }
            teams:
              support: {}
            models:
              gpt-4o:
                strategy: lowest_latency
                deployments:
                  - provider: openai
                    weight: 2
                    context_window: 128000
                    tags: { region: us }
                  - provider: vllm
                    model: llama
                    priority: 1
                    tags: { region: eu, gpu: a100 }
                    load_metrics: http://vllm-1:8000/metrics
                    limits: { rpm: 60 }
                rules:
                  - name: eu-callers
                    when: { region: eu }
                    tags: { region: eu }
                  - when: { teams: [support], header: { X-Tier: [gold, silver] }, metadata: { env: prod } }
                    tags: { provider: openai }
                fallbacks: [claude-haiku]
                context_fallbacks: [gpt-4o-long]
                content_fallbacks: [claude-sonnet, claude-haiku]
              gpt-4o-mini: { strategy: round_robin, deployments: [{ provider: openai }] }
              gpt-4o-long: { deployments: [{ provider: openai }], fallbacks: [gpt-4o] }
              claude-haiku: { deployments: [{ provider: demo }] }
              claude-sonnet: { deployments: [{ provider: demo }] }
              claude-sonnet-next: { deployments: [{ provider: demo }] }
              embed: { mode: embeddings, strategy: least_busy, deployments: [{ provider: openai }] }
            tiers:
              economy: [gpt-4o-mini, claude-haiku]
              premium: [gpt-4o, claude-sonnet]
            auto_tier:
              aliases: [auto, smart]
              default: economy
              rules:
                - name: long-prompts
                  when: { prompt_tokens_over: 4000 }
                  tier: premium
                - when: { has_tools: true, has_images: false, json_mode: true, prompt_tokens_under: 100 }
                  tier: economy
                - name: maths
                  when: { matches: '(?i)\\b(prove|derive)\\b' }
                  tier: premium
                - when: { contains_any: [Architecture, design], keys: [bot] }
                  tier: premium
            splits:
              sonnet-canary:
                model: claude-sonnet
                sticky: user
                variants: { claude-sonnet: 90, claude-sonnet-next: 10 }
              new-name:
                model: assistant
                variants: { gpt-4o: 1, claude-sonnet: 0 }
            shadow:
              - { model: gpt-4o, to: claude-sonnet-next, percent: 5 }
              - { model: claude-haiku, to: gpt-4o-mini, percent: 100 }
            resilience:
              retries: { same_deployment: 2, max_attempts: 5, backoff: 100ms, max_backoff: 2s, max_retry_after: 20s, budget_ratio: 0.5, budget_floor: 3 }
              circuit_breaker: { failure_rate: 40, slow_call_rate: 90, slow_call: 30s, window: 50, minimum_calls: 5, open_for: 1m, half_open_calls: 2 }
              max_concurrent_per_deployment: 100
              client: { max_timeout: 2m, max_retries: 1, may_disable_fallbacks: false }
            keys:
              - { name: bot, hash: "sha256:%s", models: [tier:premium, smart, assistant, gpt-4o] }
            """.formatted("a".repeat(64));

    @Test
    void compilesEveryRoutingSection() {
        RuntimeSnapshot snapshot = loaded(loader().parse("routing.yaml", ROUTING)).snapshot();

        ModelGroup gpt4o = snapshot.model("gpt-4o");
        assertThat(gpt4o.deployments()).containsExactly(
                new Deployment("gpt-4o/openai/gpt-4o", snapshot.providers().get("openai"), "gpt-4o", 2, Limits.NONE,
                        0, 128_000, Map.of("region", "us"), null),
                new Deployment("gpt-4o/vllm/llama", snapshot.providers().get("vllm"), "llama", 1,
                        new Limits(60, 0, 0), 1, 0, Map.of("region", "eu", "gpu", "a100"),
                        URI.create("http://vllm-1:8000/metrics")));
        GroupPolicy policy = gpt4o.policy();
        assertThat(policy.strategy()).isEqualTo(Strategy.LOWEST_LATENCY);
        assertThat(policy.rules()).containsExactly(
                new RouteRule("eu-callers", new Condition.HeaderIn("x-tollgate-region", Set.of("eu")),
                        Map.of("region", "eu")),
                // Several tests become one All, cheapest first: teams, then headers, then the key's labels.
                new RouteRule("rules[1]", new Condition.All(List.of(
                        new Condition.TeamIn(Set.of("support")),
                        new Condition.HeaderIn("x-tier", Set.of("gold", "silver")),
                        new Condition.MetadataIn("env", Set.of("prod")))),
                        Map.of("provider", "openai")));
        assertThat(policy.fallbacks()).isEqualTo(new Fallbacks(
                List.of("claude-haiku"), List.of("gpt-4o-long"), List.of("claude-sonnet", "claude-haiku")));
        assertThat(snapshot.model("gpt-4o-mini").policy())
                .isEqualTo(new GroupPolicy(Strategy.ROUND_ROBIN, List.of(), Fallbacks.NONE));
        assertThat(snapshot.model("embed").policy().strategy()).isEqualTo(Strategy.LEAST_BUSY);
        assertThat(snapshot.model("claude-haiku").policy()).isEqualTo(GroupPolicy.DEFAULT);

        RoutingTable routing = snapshot.routing();
        assertThat(routing.tiers()).containsExactly(
                Map.entry("economy", new Tier("economy", List.of("gpt-4o-mini", "claude-haiku"))),
                Map.entry("premium", new Tier("premium", List.of("gpt-4o", "claude-sonnet"))));

        AutoTier auto = routing.autoTier();
        assertThat(auto.aliases()).containsExactly("auto", "smart");
        assertThat(auto.defaultTier()).isEqualTo("economy");
        List<TierRule> rules = auto.rules();
        assertThat(rules).extracting(TierRule::name, TierRule::tier).containsExactly(
                org.assertj.core.groups.Tuple.tuple("long-prompts", "premium"),
                org.assertj.core.groups.Tuple.tuple("rules[1]", "economy"),
                org.assertj.core.groups.Tuple.tuple("maths", "premium"),
                org.assertj.core.groups.Tuple.tuple("rules[3]", "premium"));
        assertThat(rules.get(0).when()).isEqualTo(new Condition.PromptTokensOver(4000));
        assertThat(rules.get(1).when()).isEqualTo(new Condition.All(List.of(new Condition.HasTools(true),
                new Condition.HasImages(false), new Condition.JsonMode(true), new Condition.PromptTokensUnder(100))));
        // Patterns have no equality of their own: compare their source.
        assertThat(((Condition.Matches) rules.get(2).when()).pattern().pattern()).isEqualTo("(?i)\\b(prove|derive)\\b");
        assertThat(rules.get(3).when()).isEqualTo(new Condition.All(List.of(new Condition.KeyIn(Set.of("bot")),
                new Condition.ContainsAny(List.of("architecture", "design")))));

        assertThat(routing.splits()).containsOnly(
                Map.entry("claude-sonnet", new Split("sonnet-canary", "claude-sonnet", Split.Sticky.USER, List.of(
                        new Split.Variant("claude-sonnet", 90), new Split.Variant("claude-sonnet-next", 10)))),
                Map.entry("assistant", new Split("new-name", "assistant", Split.Sticky.KEY, List.of(
                        new Split.Variant("gpt-4o", 1), new Split.Variant("claude-sonnet", 0)))));
        assertThat(routing.shadows()).containsOnly(
                Map.entry("gpt-4o", new Shadow("gpt-4o", "claude-sonnet-next", 0.05)),
                Map.entry("claude-haiku", new Shadow("claude-haiku", "gpt-4o-mini", 1.0)));
        assertThat(routing.resilience()).isEqualTo(new Resilience(
                new Resilience.Retries(2, 5, Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(20),
                        0.5, 3),
                new Resilience.Breaker(40, 90, Duration.ofSeconds(30), 50, 5, Duration.ofMinutes(1), 2),
                100,
                new Resilience.ClientControls(Duration.ofMinutes(2), 1, false)));
        assertThat(snapshot.access().keys().getFirst().models())
                .containsExactlyInAnyOrder("tier:premium", "smart", "assistant", "gpt-4o");
    }

    @Test
    void withoutRoutingSectionsTheTableIsTheDefault() {
        RuntimeSnapshot snapshot = loaded(loader().parse("t.yaml", Fixtures.MINIMAL)).snapshot();
        assertThat(snapshot.routing()).isEqualTo(RoutingTable.DEFAULT);
        assertThat(snapshot.routing().autoTier()).isEqualTo(AutoTier.OFF);
        assertThat(snapshot.model("gpt-4o-mini").policy()).isEqualTo(GroupPolicy.DEFAULT);
        assertThat(snapshot.model("gpt-4o-mini").deployments().getFirst()).isEqualTo(new Deployment(
                "gpt-4o-mini/openai/gpt-4o-mini", snapshot.providers().get("openai"), "gpt-4o-mini", 1, Limits.NONE));
    }

    @Test
    void autoTierWithoutAliasesAnswersToAuto() {
        String yaml = Fixtures.MINIMAL + "tiers: { t: [gpt-4o-mini] }\nauto_tier: { default: t }\n";
        AutoTier auto = loaded(loader().parse("t.yaml", yaml)).snapshot().routing().autoTier();
        assertThat(auto).isEqualTo(new AutoTier(List.of("auto"), "t", List.of()));
    }

    record Case(String name, String yaml, List<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * Providers openai and an embeddings-capable one, chat models a and b and embeddings model e, team support, then
     * {@code lines} from line 9. {@code MODEL} in lines stands for more keys of model a (its line is 5).
     */
    private static String routing(String modelLines, String lines) {
        return """
                providers:
                  openai: { type: openai, base_url: https://api.openai.com/v1 }
                models:
                  a:
                    deployments: [{ provider: openai, tags: { region: eu } }]
                """ + modelLines.indent(4) + """
                  b: { deployments: [{ provider: openai, model: b }] }
                  e: { mode: embeddings, deployments: [{ provider: openai, model: e }] }
                teams: { support: {} }
                """ + lines;
    }

    private static String model(String modelLines) {
        return routing(modelLines, "");
    }

    private static String extra(String lines) {
        return routing("", lines);
    }

    static Stream<Case> cases() {
        return Stream.of(
                // models: strategy, deployment fields, rules, fallbacks.
                new Case("unknown strategy", model("strategy: lowest_latancy"), List.of(
                        "t.yaml:6:15: models.a.strategy: unknown strategy 'lowest_latancy' (did you mean 'lowest_latency'?); expected one of weighted, round_robin, lowest_latency, least_busy, lowest_cost")),
                new Case("misspelt model key", model("fallback: [b]"), List.of(
                        "t.yaml:6:5: models.a.fallback: unknown key 'fallback' (did you mean 'fallbacks'?)")),
                new Case("misspelt deployment key", routing("", "").replace("tags: { region: eu }", "tag: { region: eu }"), List.of(
                        "t.yaml:5:39: models.a.deployments[0].tag: unknown key 'tag' (did you mean 'tags'?)")),
                new Case("deployment fields out of range", routing("", "").replace("tags: { region: eu }",
                        "priority: 1001, context_window: 0, load_metrics: ftp://x/metrics"), List.of(
                        "t.yaml:5:49: models.a.deployments[0].priority: must be between 0 and 1000, got 1001",
                        "t.yaml:5:71: models.a.deployments[0].context_window: must be between 1 and 100000000, got 0",
                        "t.yaml:5:88: models.a.deployments[0].load_metrics: expected an absolute http or https URL, such as http://vllm-1:8000/metrics")),
                new Case("provider tag set", routing("", "").replace("region: eu", "provider: x, Region: eu"), List.of(
                        "t.yaml:5:47: models.a.deployments[0].tags.provider: 'provider' is implicit: every deployment carries provider=<its provider id>",
                        "t.yaml:5:60: models.a.deployments[0].tags.Region: tag name 'Region' must use only a-z, 0-9, '_', '.' and '-'")),
                new Case("rule without tags", model("rules: [{ when: { region: eu } }]"), List.of(
                        "t.yaml:6:13: models.a.rules[0].tags: required key is missing")),
                new Case("rule with empty tags", model("rules: [{ when: { region: eu }, tags: {} }]"), List.of(
                        "t.yaml:6:43: models.a.rules[0].tags: a rule needs at least one tag to select deployments by")),
                new Case("rule selecting nothing", model("rules: [{ when: { region: eu }, tags: { region: us, provider: openai } }]"), List.of(
                        "t.yaml:6:43: models.a.rules[0].tags: selects no deployment of 'a': none carries region=us, provider=openai")),
                new Case("rule with an empty when", model("rules: [{ when: {}, tags: { region: eu } }]"), List.of(
                        "t.yaml:6:21: models.a.rules[0].when: a condition needs at least one test: keys, teams, region, header, metadata, has_tools, has_images, json_mode, prompt_tokens_over, prompt_tokens_under, contains_any, matches")),
                new Case("misspelt condition", model("rules: [{ when: { regoin: eu }, tags: { region: eu } }]"), List.of(
                        "t.yaml:6:23: models.a.rules[0].when.regoin: unknown key 'regoin' (did you mean 'region'?)")),
                new Case("bad rule name", model("rules: [{ name: eu callers, when: { region: eu }, tags: { region: eu } }]"), List.of(
                        "t.yaml:6:21: models.a.rules[0].name: rule name 'eu callers' must start with a letter or digit and use only letters, digits, '.', '_' and '-'")),
                new Case("fallback typo", model("fallbacks: [bb, a]"), List.of(
                        "t.yaml:6:17: models.a.fallbacks[0]: unknown model 'bb' (did you mean 'b'?)",
                        "t.yaml:6:21: models.a.fallbacks[1]: a model cannot fall back to itself")),
                new Case("fallback of another mode", model("context_fallbacks: [e]\ncontent_fallbacks: [b, b]"), List.of(
                        "t.yaml:6:25: models.a.context_fallbacks[0]: model 'e' serves embeddings, not chat like 'a'",
                        "t.yaml:7:28: models.a.content_fallbacks[1]: model 'b' is listed twice")),
                new Case("model named like a tier", extra("").replace("  b: {", "  tier:b: {"), List.of(
                        "t.yaml:6:3: models.tier:b: a model name cannot start with 'tier:': clients address tiers that way")),

                // Conditions.
                new Case("bad regex", model("rules: [{ when: { matches: '(?i)(prove' }, tags: { region: eu } }]"), List.of(
                        "t.yaml:6:32: models.a.rules[0].when.matches: not a valid regular expression: Unclosed group near index 10")),
                new Case("unknown team", model("rules: [{ when: { teams: [suport] }, tags: { region: eu } }]"), List.of(
                        "t.yaml:6:31: models.a.rules[0].when.teams[0]: unknown team 'suport' (did you mean 'support'?)")),
                new Case("condition values", model("rules: [{ when: { header: { 'x y': a }, region: [], prompt_tokens_under: 0, has_tools: yes }, tags: { region: eu } }]"), List.of(
                        "t.yaml:6:33: models.a.rules[0].when.header.x y: 'x y' is not a valid HTTP header name",
                        "t.yaml:6:53: models.a.rules[0].when.region: expected a value or a non-empty list of values, got an empty list",
                        "t.yaml:6:78: models.a.rules[0].when.prompt_tokens_under: must be at least 1, got 0",
                        "t.yaml:6:92: models.a.rules[0].when.has_tools: expected true or false, got 'yes'")),

                // Tiers and auto_tier.
                new Case("tier problems", extra("tiers:\n  Premium: [a, e, a, x]\n  empty: []\n"), List.of(
                        "t.yaml:10:3: tiers.Premium: tier name 'Premium' must use only a-z, 0-9, '_' and '-'",
                        "t.yaml:10:16: tiers.Premium[1]: model 'e' serves embeddings; a tier takes chat models only",
                        "t.yaml:10:19: tiers.Premium[2]: model 'a' is listed twice",
                        "t.yaml:10:22: tiers.Premium[3]: unknown model 'x' (did you mean 'a'?)",
                        "t.yaml:11:10: tiers.empty: a tier needs at least one model")),
                new Case("auto_tier without default", extra("tiers: { t: [a] }\nauto_tier: { rules: [{ when: { has_tools: true }, tier: tt }] }\n"), List.of(
                        "t.yaml:10:12: auto_tier.default: required key is missing",
                        "t.yaml:10:57: auto_tier.rules[0].tier: unknown tier 'tt' (did you mean 't'?)")),
                new Case("auto_tier without tiers", extra("auto_tier: { default: economy }\n"), List.of(
                        "t.yaml:9:23: auto_tier.default: unknown tier 'economy'; declare it under tiers")),
                new Case("aliases clash", extra("tiers: { t: [a] }\nsplits: { s: { model: new, variants: { a: 1 } } }\nauto_tier: { aliases: [b, t, new, 'x y'], default: t }\n"), List.of(
                        "t.yaml:10:23: splits.s.model: 'new' is an auto_tier alias; a split takes over a model name",
                        "t.yaml:11:24: auto_tier.aliases[0]: 'b' is a model name; an alias needs a name of its own",
                        "t.yaml:11:27: auto_tier.aliases[1]: 't' is a tier name; an alias needs a name of its own (clients ask for the tier as tier:t)",
                        "t.yaml:11:35: auto_tier.aliases[3]: a model name cannot contain spaces or control characters")),
                new Case("auto is still reserved", extra("").replace("  b: {", "  auto: {"), List.of(
                        "t.yaml:6:3: models.auto: 'auto' is reserved: clients send it to let the gateway pick a model")),

                // Splits and shadow.
                new Case("split problems", extra("splits:\n  s1: { model: a, sticky: users, variants: { b: 0, e: 0, x: -1 } }\n  s2: { model: a, variants: {} }\n"), List.of(
                        "t.yaml:10:27: splits.s1.sticky: unknown choice 'users' (did you mean 'user'?); expected key or user",
                        "t.yaml:10:52: splits.s1.variants.e: model 'e' serves embeddings; a split takes chat models only",
                        "t.yaml:10:61: splits.s1.variants.x: a weight is a whole number between 0 and 10000, got '-1'",
                        "t.yaml:11:16: splits.s2.model: split 's1' already takes over 'a'; a model has one split",
                        "t.yaml:11:29: splits.s2.variants: a split needs at least one variant")),
                new Case("split with no weight", extra("splits: { s: { model: a, variants: { a: 0, b: 0 } } }\n"), List.of(
                        "t.yaml:9:36: splits.s.variants: the weights add up to 0: at least one variant needs a weight")),
                new Case("shadow problems", extra("shadow:\n  - { model: a, to: a, percent: 0 }\n  - { model: a, to: e, percent: 101 }\n  - { model: x, to: b }\n"), List.of(
                        "t.yaml:10:21: shadow[0].to: a model cannot shadow itself",
                        "t.yaml:10:33: shadow[0].percent: must be more than 0; remove the shadow to turn it off",
                        "t.yaml:11:14: shadow[1].model: 'a' is already shadowed by shadow[0]; a model has one shadow",
                        "t.yaml:11:21: shadow[1].to: model 'e' serves embeddings; a shadow takes chat models only",
                        "t.yaml:11:33: shadow[1].percent: must be between 0 and 100, got 101",
                        "t.yaml:12:5: shadow[2].percent: required key is missing",
                        "t.yaml:12:14: shadow[2].model: unknown model 'x' (did you mean 'a'?)")),

                // Resilience.
                new Case("resilience out of range", extra("""
                        resilience:
                          retries: { max_attempts: 0, backoff: 10s, max_backoff: 1s, budget_ratio: 2 }
                          circuit_breaker: { failure_rate: 0, slow_call_rate: 101, open_for: 0, windw: 5 }
                          max_concurrent_per_deployment: -1
                          client: { max_timeout: 0, max_retries: 11 }
                        """), List.of(
                        "t.yaml:10:28: resilience.retries.max_attempts: must be between 1 and 20, got 0",
                        "t.yaml:10:40: resilience.retries.backoff: backoff (10s) cannot be longer than max_backoff (1s)",
                        "t.yaml:10:76: resilience.retries.budget_ratio: must be between 0 and 1, got 2",
                        "t.yaml:11:36: resilience.circuit_breaker.failure_rate: must be between 1 and 100, got 0",
                        "t.yaml:11:55: resilience.circuit_breaker.slow_call_rate: must be between 1 and 100, got 101",
                        "t.yaml:11:70: resilience.circuit_breaker.open_for: must be at least 1ms, got 0",
                        "t.yaml:11:73: resilience.circuit_breaker.windw: unknown key 'windw' (did you mean 'window'?)",
                        "t.yaml:12:34: resilience.max_concurrent_per_deployment: must be between 0 and 1000000, got -1",
                        "t.yaml:13:26: resilience.client.max_timeout: must be at least 1ms, got 0",
                        "t.yaml:13:42: resilience.client.max_retries: must be between 0 and 10, got 11")),
                new Case("key allowed an unknown tier", extra("keys: [{ name: k, hash: \"sha256:" + "a".repeat(64) + "\", models: [tier:nope] }]\n"), List.of(
                        "t.yaml:9:109: keys[0].models[0]: unknown model 'tier:nope'; list public model names from models, or a prefix ending in *")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsExactlyTheseProblems(Case c) {
        assertThat(problems(loader().parse("t.yaml", c.yaml()))).containsExactlyElementsOf(c.expected());
    }
}
