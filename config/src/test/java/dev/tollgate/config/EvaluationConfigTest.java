package dev.tollgate.config;

import static dev.tollgate.config.Fixtures.loaded;
import static dev.tollgate.config.Fixtures.loader;
import static dev.tollgate.config.Fixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.eval.EvalSampling;
import dev.tollgate.core.eval.EvaluationSettings;
import dev.tollgate.core.eval.Evaluator;
import dev.tollgate.core.eval.Rubric;
import dev.tollgate.core.prompt.PromptRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code evaluation} section: what a valid one compiles to, each bad value's problem, and random damage. */
class EvaluationConfigTest {
    private static final String HASH = "sha256:" + "ab".repeat(32);

    /** Everything an evaluation section may name; the section given starts on line 26. */
    private static String base(String evaluation) {
        return """
                storage: { ledger: "sqlite:/tmp/tollgate-evaluation-test.db" }
                providers:
                  openai: { type: openai, base_url: https://api.openai.com/v1 }
                models:
                  gpt-4o: { deployments: [{ provider: openai }] }
                  claude: { deployments: [{ provider: openai, model: claude }] }
                  judge-model: { deployments: [{ provider: openai, model: judge }] }
                  embed: { mode: embeddings, deployments: [{ provider: openai, model: embed }] }
                teams:
                  quality: {}
                keys:
                  - { name: app-key, hash: "%s" }
                guardrails:
                  no-pii: { kind: pii, action: flag, applies_to: output }
                  banned: { kind: deny, action: flag, terms: [forbidden] }
                  on-topic: { kind: topics, action: block, topics: { billing: [invoice] } }
                prompts:
                  my-rubric:
                    labels: { production: 1 }
                    versions:
                      1: { system: "Rate {{answer}} to {{prompt}} against {{context}}." }
                      2: { messages: [{ role: user, content: "Score {{ answer }}" }] }
                  chatty:
                    versions:
                      1: { system: "Hello {{name}}, {{answer}} for {{ticket}}" }
                """.formatted(HASH) + evaluation;
    }

    private static final String FULL = base("""
            evaluation:
              team: quality
              queue_size: 512
              concurrency: 4
              max_chars: 4000
              retention: 48h
              evaluators:
                faithfulness:
                  type: judge
                  model: judge-model
                  rubric: faithfulness
                  max_tokens: 400
                  sample_rate: 0.05
                  models: [gpt-4o]
                  keys: [app-key]
                  routes: [chat, messages]
                  threshold: 0.6
                custom:
                  type: judge
                  model: judge-model
                  rubric: { prompt: "my-rubric@production" }
                  sample_rate: 1
                stable:
                  type: consistency
                  samples: 3
                  embedding_model: embed
                  sample_rate: 0.01
                leaks:
                  type: guardrail
                  guardrails: [no-pii, banned]
                  sample_rate: 1
                  threshold: 0.5
                helpfulness:
                  type: feedback
                fairness:
                  type: bias
                  models: [gpt-4o, claude]
                  embedding_model: embed
                  every: 12h
                  max_tokens: 150
                  threshold: 0.9
            """);

    private static EvalSampling all(double rate) {
        return new EvalSampling(rate, Set.of(), Set.of(), Set.of());
    }

    @Test
    void aFullSectionBindsToTheExactSettings() {
        LoadResult.Loaded result = loaded(loader().parse("t.yaml", FULL));
        assertThat(result.warnings()).isEmpty();
        EvaluationSettings settings = result.snapshot().evaluation();
        assertThat(settings.team()).isEqualTo("quality");
        assertThat(settings.queueSize()).isEqualTo(512);
        assertThat(settings.concurrency()).isEqualTo(4);
        assertThat(settings.maxChars()).isEqualTo(4000);
        assertThat(settings.retention()).isEqualTo(Duration.ofHours(48));
        assertThat(settings.evaluators()).containsExactly(
                Map.entry("faithfulness", new Evaluator.Judge("faithfulness", "judge-model",
                        Rubric.Shipped.FAITHFULNESS, 400, new EvalSampling(0.05, Set.of("gpt-4o"), Set.of("app-key"),
                                Set.of("chat", "messages")), 0.6)),
                Map.entry("custom", new Evaluator.Judge("custom", "judge-model",
                        new Rubric.Registry(new PromptRef("my-rubric", "production", null)), 300, all(1), 0.5)),
                Map.entry("stable", new Evaluator.Consistency("stable", 3, "embed", all(0.01), 0.8)),
                Map.entry("leaks", new Evaluator.Guardrail("leaks", List.of("no-pii", "banned"), all(1), 0.5)),
                Map.entry("helpfulness", new Evaluator.Feedback("helpfulness", 0.5)),
                Map.entry("fairness", new Evaluator.Bias("fairness", List.of("gpt-4o", "claude"), "embed",
                        Duration.ofHours(12), 150, 0.9)));
        assertThat(settings.evaluators().get("custom").rubric()).isEqualTo("my-rubric");
    }

    @Test
    void withoutTheSectionNothingIsEvaluated() {
        assertThat(loaded(loader().parse("t.yaml", Fixtures.MINIMAL)).snapshot().evaluation())
                .isEqualTo(EvaluationSettings.OFF);
        assertThat(loaded(loader().parse("t.yaml", base("evaluation:\n  evaluators:\n"))).snapshot().evaluation())
                .isEqualTo(EvaluationSettings.OFF);
    }

    @Test
    void defaultsApplyToWhatIsNotWritten() {
        EvaluationSettings settings = loaded(loader().parse("t.yaml", base("""
                evaluation:
                  evaluators:
                    fb: { type: feedback }
                    leaks: { type: guardrail, guardrails: [no-pii], sample_rate: 0.5 }
                """))).snapshot().evaluation();
        assertThat(settings).isEqualTo(new EvaluationSettings(null, 256, 2, 8000, Duration.ofDays(30), Map.of(
                "fb", new Evaluator.Feedback("fb", 0.5),
                "leaks", new Evaluator.Guardrail("leaks", List.of("no-pii"), all(0.5), 0.5))));
        EvaluationSettings bias = loaded(loader().parse("t.yaml", base("""
                evaluation:
                  team: quality
                  evaluators:
                    b: { type: bias, models: [gpt-4o], embedding_model: embed }
                    c: { type: consistency, embedding_model: embed, sample_rate: 0.1 }
                """))).snapshot().evaluation();
        assertThat(bias.evaluators().values()).containsExactly(
                new Evaluator.Bias("b", List.of("gpt-4o"), "embed", Duration.ofHours(24), 200, 0.8),
                new Evaluator.Consistency("c", 2, "embed", all(0.1), 0.8));
    }

    static Stream<Arguments> badSections() {
        return Stream.of(
                Arguments.of("evaluation: { queue_size: 0, concurrency: 65, max_chars: 100, retention: 30m }", List.of(
                        "t.yaml:26:27: evaluation.queue_size: must be between 1 and 100000, got 0",
                        "t.yaml:26:43: evaluation.concurrency: must be between 1 and 64, got 65",
                        "t.yaml:26:58: evaluation.max_chars: must be between 200 and 200000, got 100",
                        "t.yaml:26:74: evaluation.retention: must be at least 1h, got 30m")),
                Arguments.of("evaluation: { retention: 87601h, evaluatrs: {} }", List.of(
                        "t.yaml:26:26: evaluation.retention: must be at most 87600h, got 87601h",
                        "t.yaml:26:34: evaluation.evaluatrs: unknown key 'evaluatrs' (did you mean 'evaluators'?)")),
                Arguments.of("""
                        evaluation:
                          team: qualty
                          evaluators:
                            j: { type: jugde, model: judge-model }
                        """, List.of(
                        "t.yaml:27:9: evaluation.team: unknown team 'qualty' (did you mean 'quality'?)",
                        "t.yaml:29:16: evaluation.evaluators.j.type: must be one of judge, consistency, guardrail, "
                                + "feedback, bias, got 'jugde' (did you mean 'judge'?)")),
                Arguments.of("""
                        evaluation:
                          evaluators:
                            Judge_1: { type: judge, model: gpt4o, rubric: toxicty, sample_rate: 0 }
                        """, List.of(
                        "t.yaml:27:3: evaluation.team: required when a judge, consistency or bias evaluator is "
                                + "configured: their model calls are charged to this team",
                        "t.yaml:28:5: evaluation.evaluators.Judge_1: evaluator name 'Judge_1' must start with a "
                                + "lower-case letter or digit and use only lower-case letters, digits, '.', '_' and '-'",
                        "t.yaml:28:36: evaluation.evaluators.Judge_1.model: unknown model 'gpt4o' (did you mean "
                                + "'gpt-4o'?)",
                        "t.yaml:28:51: evaluation.evaluators.Judge_1.rubric: unknown rubric 'toxicty' (did you mean "
                                + "'toxicity'?); shipped rubrics: faithfulness, toxicity, helpfulness, "
                                + "instruction_following, or {prompt: <id>} for a registry prompt",
                        "t.yaml:28:73: evaluation.evaluators.Judge_1.sample_rate: must be more than 0; remove the "
                                + "evaluator to turn it off")),
                Arguments.of("""
                        evaluation:
                          team: quality
                          evaluators:
                            j: { type: judge, model: embed, rubric: helpfulness, sample_rate: 2, max_tokens: 8 }
                            k: { type: judge }
                        """, List.of(
                        "t.yaml:29:30: evaluation.evaluators.j.model: model 'embed' serves embeddings; a judge takes "
                                + "chat models only",
                        "t.yaml:29:71: evaluation.evaluators.j.sample_rate: must be between 0 and 1, got 2",
                        "t.yaml:29:86: evaluation.evaluators.j.max_tokens: must be between 16 and 4096, got 8",
                        "t.yaml:30:8: evaluation.evaluators.k.model: required key is missing",
                        "t.yaml:30:8: evaluation.evaluators.k.rubric: required key is missing",
                        "t.yaml:30:8: evaluation.evaluators.k.sample_rate: required key is missing")),
                Arguments.of("""
                        evaluation:
                          team: quality
                          evaluators:
                            j:
                              type: judge
                              model: judge-model
                              rubric: { prompt: my-rubrc }
                              sample_rate: 0.1
                              models: [gpt-4o, embed, gtp-4o]
                              keys: [app-kye]
                              routes: [chat, embeddings]
                              samples: 2
                        """, List.of(
                        "t.yaml:32:25: evaluation.evaluators.j.rubric.prompt: unknown prompt 'my-rubrc' (did you "
                                + "mean 'my-rubric'?)",
                        "t.yaml:34:24: evaluation.evaluators.j.models[1]: model 'embed' serves embeddings; an "
                                + "evaluator's scope takes chat models only",
                        "t.yaml:34:31: evaluation.evaluators.j.models[2]: unknown model 'gtp-4o' (did you mean "
                                + "'gpt-4o'?)",
                        "t.yaml:35:14: evaluation.evaluators.j.keys[0]: unknown key 'app-kye' (did you mean "
                                + "'app-key'?)",
                        "t.yaml:36:22: evaluation.evaluators.j.routes[1]: unknown route 'embeddings'; evaluators "
                                + "sample chat and messages",
                        "t.yaml:37:7: evaluation.evaluators.j.samples: not allowed for type judge (it takes keys, "
                                + "max_tokens, model, models, routes, rubric, sample_rate, threshold)")),
                Arguments.of("""
                        evaluation:
                          team: quality
                          evaluators:
                            a: { type: judge, model: judge-model, rubric: { prompt: chatty }, sample_rate: 1 }
                            b: { type: judge, model: judge-model, rubric: { prompt: "my-rubric@staging" }, sample_rate: 1 }
                            c: { type: judge, model: judge-model, rubric: { prompt: "my-rubric@7" }, sample_rate: 1 }
                            d: { type: judge, model: judge-model, rubric: { prompt: "@x" }, sample_rate: 1 }
                            e: { type: judge, model: judge-model, rubric: [faithfulness], sample_rate: 1 }
                        """, List.of(
                        "t.yaml:29:61: evaluation.evaluators.a.rubric.prompt: version 1 of prompt 'chatty' reads "
                                + "name, ticket; a rubric is rendered with prompt, context, answer only",
                        "t.yaml:30:61: evaluation.evaluators.b.rubric.prompt: prompt 'my-rubric' has no label "
                                + "'staging'",
                        "t.yaml:31:61: evaluation.evaluators.c.rubric.prompt: prompt 'my-rubric' has no version 7; "
                                + "it has 1, 2",
                        "t.yaml:32:61: evaluation.evaluators.d.rubric.prompt: expected a prompt reference such as "
                                + "my-rubric, my-rubric@production or my-rubric@3, got '@x'",
                        "t.yaml:33:51: evaluation.evaluators.e.rubric: expected a string, got a list")),
                Arguments.of("""
                        evaluation:
                          team: quality
                          evaluators:
                            c: { type: consistency, embedding_model: gpt-4o, sample_rate: 0.1, samples: 11 }
                            g: { type: guardrail, guardrails: [no-pi, on-topic], sample_rate: 1, model: gpt-4o }
                            h: { type: guardrail, guardrails: [], sample_rate: 1 }
                            f: { type: feedback, threshold: 1.5 }
                            f2: { type: feedback, sample_rate: 0.5 }
                        """, List.of(
                        "t.yaml:29:46: evaluation.evaluators.c.embedding_model: model 'gpt-4o' serves chat; a "
                                + "consistency evaluator's embedding_model takes embeddings models only",
                        "t.yaml:29:81: evaluation.evaluators.c.samples: must be between 1 and 10, got 11",
                        "t.yaml:30:40: evaluation.evaluators.g.guardrails[0]: unknown guardrail 'no-pi' (did you "
                                + "mean 'no-pii'?)",
                        "t.yaml:30:47: evaluation.evaluators.g.guardrails[1]: guardrail 'on-topic' is a topics "
                                + "guardrail, which reads requests only: it cannot score answers",
                        "t.yaml:30:74: evaluation.evaluators.g.model: not allowed for type guardrail (it takes "
                                + "guardrails, keys, models, routes, sample_rate, threshold)",
                        "t.yaml:31:39: evaluation.evaluators.h.guardrails: list at least one guardrail",
                        "t.yaml:32:37: evaluation.evaluators.f.threshold: must be between 0 and 1, got 1.5",
                        "t.yaml:33:5: evaluation.evaluators.f2: evaluator 'f' already records feedback; there is at "
                                + "most one feedback evaluator",
                        "t.yaml:33:27: evaluation.evaluators.f2.sample_rate: not allowed for type feedback (it takes "
                                + "threshold)")),
                Arguments.of("""
                        evaluation:
                          team: quality
                          evaluators:
                            b: { type: bias, models: [], embedding_model: ebmed, every: 30s }
                            c: { type: bias, models: [gpt-4o], embedding_model: embed, every: 721h, routes: [chat] }
                        """, List.of(
                        "t.yaml:29:30: evaluation.evaluators.b.models: list at least one chat model group to probe",
                        "t.yaml:29:51: evaluation.evaluators.b.embedding_model: unknown model 'ebmed' (did you mean "
                                + "'embed'?)",
                        "t.yaml:29:65: evaluation.evaluators.b.every: must be at least 1m, got 30s",
                        "t.yaml:30:71: evaluation.evaluators.c.every: must be at most 720h, got 721h",
                        "t.yaml:30:77: evaluation.evaluators.c.routes: not allowed for type bias (it takes "
                                + "embedding_model, every, max_tokens, models, threshold)")));
    }

    @ParameterizedTest
    @MethodSource("badSections")
    void eachBadValueIsReportedWhereItIs(String section, List<String> expected) {
        assertThat(problems(loader().parse("t.yaml", base(section)))).containsExactlyElementsOf(expected);
    }

    @Test
    void evaluatorsNeedTheLedger() {
        String yaml = base("evaluation: { evaluators: { f: { type: feedback } } }\n").replaceFirst(
                "storage: \\{ ledger: \"sqlite:/tmp/tollgate-evaluation-test.db\" }", "storage: { ledger: none }");
        assertThat(problems(loader().parse("t.yaml", yaml))).containsExactly(
                "t.yaml:26:27: evaluation.evaluators: needs storage.ledger: evaluation results are kept in the "
                        + "ledger database");
    }

    @Test
    void aTeamTheConfigLacksIsNamedAsSuch() {
        String yaml = base("evaluation: { team: quality }\n").replace("teams:\n  quality: {}\n", "");
        assertThat(problems(loader().parse("t.yaml", yaml))).containsExactly(
                "t.yaml:24:21: evaluation.team: unknown team 'quality'; declare it under teams");
    }

    @Test
    void theEvaluationKeyNameIsReserved() {
        String yaml = base("").replace("name: app-key", "name: tollgate-evaluation");
        assertThat(problems(loader().parse("t.yaml", yaml))).containsExactly(
                "t.yaml:12:13: keys[0].name: 'tollgate-evaluation' is reserved for the key the gateway makes for its "
                        + "own evaluation calls; choose another name");
    }

    /** A file of the repository, from the module's directory or the repository's. */
    private static String repositoryFile(String path) throws IOException {
        Path file = Path.of("..", path);
        return Files.readString(Files.exists(file) ? file : Path.of(path));
    }

    /**
     * The defaults and bounds the binder applies are the ones the JSON schema and the reference state: the section
     * is documented three times over, and each copy must say what the loader does.
     */
    @Test
    void theSchemaAndTheReferenceStateTheBindersDefaultsAndBounds() throws IOException {
        JsonNode schema = new ObjectMapper().readTree(repositoryFile("config/tollgate.schema.json"));
        JsonNode section = schema.at("/$defs/evaluation/properties");
        JsonNode evaluator = schema.at("/$defs/evaluator/properties");
        EvaluationSettings off = EvaluationSettings.OFF;
        assertThat(section.at("/queue_size/default").asInt()).isEqualTo(off.queueSize())
                .isEqualTo(EvaluationSettings.DEFAULT_QUEUE_SIZE);
        assertThat(section.at("/queue_size/maximum").asInt()).isEqualTo(EvaluationSection.MAX_QUEUE_SIZE);
        assertThat(section.at("/concurrency/default").asInt()).isEqualTo(EvaluationSettings.DEFAULT_CONCURRENCY);
        assertThat(section.at("/concurrency/maximum").asInt()).isEqualTo(EvaluationSection.MAX_CONCURRENCY);
        assertThat(section.at("/max_chars/default").asInt()).isEqualTo(EvaluationSettings.DEFAULT_MAX_CHARS);
        assertThat(section.at("/max_chars/minimum").asInt()).isEqualTo(EvaluationSection.MIN_MAX_CHARS);
        assertThat(section.at("/max_chars/maximum").asInt()).isEqualTo(EvaluationSection.MAX_MAX_CHARS);
        String retention = DurationSyntax.format(EvaluationSettings.DEFAULT_RETENTION);
        String retentionRange = DurationSyntax.format(EvaluationSection.MIN_RETENTION) + " to "
                + DurationSyntax.format(EvaluationSection.MAX_RETENTION);
        assertThat(section.at("/retention/default").asText()).isEqualTo(retention);
        assertThat(section.at("/retention/description").asText()).contains(retentionRange);
        assertThat(section.at("/evaluators/propertyNames/pattern").asText()).isEqualTo(EvaluationSection.NAME_PATTERN);
        assertThat(section.at("/evaluators/propertyNames/maxLength").asInt())
                .isEqualTo(EvaluationSection.MAX_NAME_LENGTH);
        assertThat(evaluator.at("/samples/default").asInt()).isEqualTo(EvaluationSection.DEFAULT_SAMPLES);
        assertThat(evaluator.at("/samples/maximum").asInt()).isEqualTo(Evaluator.Consistency.MAX_SAMPLES);
        assertThat(evaluator.at("/max_tokens/minimum").asInt()).isEqualTo(EvaluationSection.MIN_MAX_TOKENS);
        assertThat(evaluator.at("/max_tokens/maximum").asInt()).isEqualTo(EvaluationSection.MAX_MAX_TOKENS);
        assertThat(evaluator.at("/max_tokens/description").asText()).contains(
                "(default " + EvaluationSection.JUDGE_MAX_TOKENS + ")", "(default " + EvaluationSection.BIAS_MAX_TOKENS
                        + ")");
        assertThat(evaluator.at("/threshold/description").asText()).contains("Default "
                + EvaluationSection.SIMILARITY_THRESHOLD + " for consistency and bias, "
                + EvaluationSection.DEFAULT_THRESHOLD + " otherwise");
        String every = DurationSyntax.format(EvaluationSection.DEFAULT_EVERY);
        String everyRange = DurationSyntax.format(EvaluationSection.MIN_EVERY) + " to "
                + DurationSyntax.format(EvaluationSection.MAX_EVERY);
        assertThat(evaluator.at("/every/default").asText()).isEqualTo(every);
        assertThat(evaluator.at("/every/description").asText()).contains(everyRange);
        assertThat(evaluator.at("/routes/items/enum")).extracting(JsonNode::asText)
                .containsExactlyElementsOf(EvaluationSection.ROUTES);
        assertThat(evaluator.at("/rubric/oneOf/0/enum")).extracting(JsonNode::asText)
                .containsExactlyElementsOf(EvaluationSection.RUBRICS);
        assertThat(evaluator.at("/type/enum")).extracting(JsonNode::asText)
                .containsExactlyElementsOf(EvaluationSection.TYPES);

        String reference = repositoryFile("docs/config-reference.md");
        int start = reference.indexOf("\n## Evaluation\n");
        String chapter = reference.substring(start, reference.indexOf("\n## ", start + 1));
        assertThat(chapter).contains(
                "| `queue_size` | whole number, 1 to " + EvaluationSection.MAX_QUEUE_SIZE + " | `"
                        + EvaluationSettings.DEFAULT_QUEUE_SIZE + "` |",
                "| `concurrency` | whole number, 1 to " + EvaluationSection.MAX_CONCURRENCY + " | `"
                        + EvaluationSettings.DEFAULT_CONCURRENCY + "` |",
                "| `max_chars` | whole number, " + EvaluationSection.MIN_MAX_CHARS + " to "
                        + EvaluationSection.MAX_MAX_CHARS + " | `" + EvaluationSettings.DEFAULT_MAX_CHARS + "` |",
                "| `retention` | duration, " + retentionRange + " | `" + retention + "` |",
                "at most " + EvaluationSection.MAX_NAME_LENGTH + " characters",
                "| `threshold` | all | `" + EvaluationSection.SIMILARITY_THRESHOLD + "` for `consistency` and `bias`, "
                        + "else `" + EvaluationSection.DEFAULT_THRESHOLD + "` |",
                "| `max_tokens` | `judge`, `bias` | `" + EvaluationSection.JUDGE_MAX_TOKENS + "` (`judge`), `"
                        + EvaluationSection.BIAS_MAX_TOKENS + "` (`bias`) | A whole number from "
                        + EvaluationSection.MIN_MAX_TOKENS + " to " + EvaluationSection.MAX_MAX_TOKENS + ":",
                "| `samples` | `consistency` | `" + EvaluationSection.DEFAULT_SAMPLES + "` | A whole number from 1 to "
                        + Evaluator.Consistency.MAX_SAMPLES + ":",
                "| `every` | `bias` | `" + every + "` | A duration from " + everyRange + ":",
                "`" + EvaluationSettings.KEY_NAME + "`");
        for (String rubric : EvaluationSection.RUBRICS) {
            assertThat(chapter).contains("`" + rubric + "`");
        }
    }

    /** Values a mutation puts in place of one: wrong kinds, out of range, misspelt and unknown names. */
    private static final List<String> VALUES = List.of("0", "-1", "1.5", "2", "1e400", "\"0.5\"", "[]", "{}", "[a, b]",
            "{ prompt: x }", "{ prompt: \"@\" }", "~", "''", "judge", "bias", "feedback", "gpt-4o", "embed", "quality",
            "on-topic", "tollgate-evaluation", "30s", "1000h", "24h", "${env:OPENAI_API_KEY}", "faithfulness",
            "[chat, messages, chat]", "[no-pii, no-pii]", "!!binary x", "&a [x]", "*a", "Ü", "true");

    @Test
    void randomDamageToTheSectionNeverEscapesTheLoader() {
        var random = new Random(12);
        ConfigLoader loader = loader();
        List<String> lines = FULL.lines().toList();
        int first = lines.indexOf("evaluation:");
        int[] outcomes = new int[2];
        for (int i = 0; i < 800; i++) {
            var mutant = new ArrayList<>(lines);
            for (int m = 1 + random.nextInt(4); m > 0; m--) {
                int at = first + random.nextInt(mutant.size() - first);
                String line = mutant.get(at);
                int colon = line.indexOf(": ");
                switch (random.nextInt(4)) {
                    case 0 -> mutant.remove(at);
                    case 1 -> mutant.add(at, line);
                    default -> mutant.set(at, colon < 0 ? line + " " + VALUES.get(random.nextInt(VALUES.size()))
                            : line.substring(0, colon + 2) + VALUES.get(random.nextInt(VALUES.size())));
                }
            }
            String text = String.join("\n", mutant) + "\n";
            switch (loader.parse("m.yaml", text)) {
                case LoadResult.Loaded loaded -> outcomes[0]++;
                case LoadResult.Invalid invalid -> {
                    outcomes[1]++;
                    assertThat(invalid.problems()).isNotEmpty().allSatisfy(p -> {
                        assertThat(p.line()).isBetween(1, mutant.size() + 1);
                        assertThat(p.toString()).doesNotContain(Fixtures.CANARY);
                    });
                }
            }
        }
        assertThat(outcomes[0]).isPositive();
        assertThat(outcomes[1]).isPositive();
    }
}
