package dev.tollgate.config;

import static dev.tollgate.config.Fixtures.loaded;
import static dev.tollgate.config.Fixtures.loader;
import static dev.tollgate.config.Fixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.prompt.Experiment;
import dev.tollgate.core.prompt.Prompt;
import dev.tollgate.core.prompt.PromptMessage;
import dev.tollgate.core.prompt.PromptRegistry;
import dev.tollgate.core.prompt.PromptVersion;
import dev.tollgate.core.prompt.Template;
import dev.tollgate.core.routing.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code prompts} and {@code experiments} sections: what a valid file compiles to, and each bad edit's problem. */
class PromptsConfigTest {
    /** Chat models a and b, embeddings model e and tier fast; the lines given follow from line 8. */
    private static String base(String lines) {
        return """
                providers:
                  openai: { type: openai, base_url: https://api.openai.com/v1 }
                models:
                  a: { deployments: [{ provider: openai }] }
                  b: { deployments: [{ provider: openai, model: b }] }
                  e: { mode: embeddings, deployments: [{ provider: openai, model: e }] }
                tiers: { fast: [a] }
                """ + lines;
    }

    private static final String FULL = base("""
            prompts:
              support-answer:
                description: Answers support tickets
                labels:
                  production: 2
                  staging: 3
                versions:
                  1:
                    note: first cut
                    system: "You answer for {{product}}."
                  2:
                    model: a
                    params: { temperature: 0.2, top_p: 1, max_tokens: 300, stop: END, seed: 7, presence_penalty: -0.5, frequency_penalty: 2 }
                    system: "You answer for {{ product }}. \\\\{{ not a variable }}"
                    messages:
                      - role: user
                        content: "Ticket: {{ticket}}"
                      - { role: assistant, content: On it. }
                  3:
                    model: tier:fast
                    params: { stop: [a, b] }
                    messages: [{ role: system, content: Be brief. }]
              triage:
                labels: { production: 1 }
                versions_file: prompts/triage.yaml
            experiments:
              support-tone:
                prompt: support-answer
                sticky: user
                arms:
                  control: { version: 2, weight: 50 }
                  concise: { version: 3, model: b, weight: 50 }
              staging-model:
                prompt: support-answer
                label: staging
                arms:
                  other-model: { model: b, weight: 1 }
            """);

    private static final String TRIAGE = """
            1:
              system: Sort tickets by urgency.
            2:
              note: with examples
              messages:
                - { role: user, content: "Sort: {{ticket}}" }
            """;

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    @Test
    void compilesPromptsAndExperiments() throws IOException {
        write("prompts/triage.yaml", TRIAGE);
        LoadResult.Loaded result = loaded(loader().load(write("tollgate.yaml", FULL)));
        assertThat(result.warnings()).isEmpty();
        PromptRegistry registry = result.snapshot().prompts();

        Sampling none = Sampling.DEFAULTS;
        var support = new TreeMap<Integer, PromptVersion>(Map.of(
                1, new PromptVersion(1, Template.parse("You answer for {{product}}."), List.of(), null, none,
                        "first cut"),
                2, new PromptVersion(2, Template.parse("You answer for {{ product }}. \\{{ not a variable }}"),
                        List.of(new PromptMessage(Role.USER, Template.parse("Ticket: {{ticket}}")),
                                new PromptMessage(Role.ASSISTANT, Template.parse("On it."))),
                        "a", new Sampling(0.2, 1.0, 300, List.of("END"), 7L, -0.5, 2.0, null), null),
                3, new PromptVersion(3, null, List.of(new PromptMessage(Role.SYSTEM, Template.parse("Be brief."))),
                        "tier:fast", new Sampling(null, null, null, List.of("a", "b"), null, null, null, null), null)));
        var triage = new TreeMap<Integer, PromptVersion>(Map.of(
                1, new PromptVersion(1, Template.parse("Sort tickets by urgency."), List.of(), null, none, null),
                2, new PromptVersion(2, null, List.of(new PromptMessage(Role.USER, Template.parse("Sort: {{ticket}}"))),
                        null, none, "with examples")));
        assertThat(registry.prompts()).containsExactly(
                Map.entry("support-answer", new Prompt("support-answer", "Answers support tickets", support,
                        Map.of("production", 2, "staging", 3))),
                Map.entry("triage", new Prompt("triage", null, triage, Map.of("production", 1))));
        assertThat(registry.prompts().get("support-answer").labels().keySet()).containsExactly("production", "staging");
        assertThat(registry.experiments()).containsExactly(
                Map.entry("support-tone", new Experiment("support-tone", "support-answer", "production",
                        Split.Sticky.USER, List.of(new Experiment.Arm("control", 2, null, 50),
                                new Experiment.Arm("concise", 3, "b", 50)))),
                Map.entry("staging-model", new Experiment("staging-model", "support-answer", "staging",
                        Split.Sticky.KEY, List.of(new Experiment.Arm("other-model", null, "b", 1)))));
        // The escape is a literal: the version reads product only.
        assertThat(registry.prompts().get("support-answer").version(2).variables())
                .containsExactly("product", "ticket");
    }

    @Test
    void withoutPromptsTheRegistryIsEmpty() {
        assertThat(loaded(loader().parse("t.yaml", Fixtures.MINIMAL)).snapshot().prompts())
                .isEqualTo(PromptRegistry.EMPTY);
    }

    @Test
    void emptySectionsMeanNone() {
        for (String lines : List.of("prompts:\nexperiments:\n", "prompts: {}\nexperiments: {}\n")) {
            assertThat(loaded(loader().parse("t.yaml", base(lines))).snapshot().prompts())
                    .isEqualTo(PromptRegistry.EMPTY);
        }
        String onePrompt = base("prompts:\n  p: { versions: { 1: { system: hi } } }\nexperiments:\n");
        assertThat(loaded(loader().parse("t.yaml", onePrompt)).snapshot().prompts().experiments()).isEmpty();
    }

    @Test
    void anArmModelTheVersionAlreadyHasIsWorthAWarning() {
        String yaml = base("""
                prompts:
                  p: { labels: { production: 1 }, versions: { 1: { model: a, system: hi }, 2: { system: yo } } }
                experiments:
                  x: { prompt: p, arms: { same: { model: a, weight: 1 }, newer: { version: 2, weight: 0 } } }
                """);
        LoadResult.Loaded result = loaded(loader().parse("t.yaml", yaml));
        assertThat(result.warnings()).extracting(ConfigProblem::toString).containsExactly(
                "t.yaml:11:42: experiments.x.arms.same.model: version 1 of prompt 'p' already goes to 'a', so this "
                        + "model changes nothing");
    }

    @Test
    void aProblemInAVersionsFileIsReportedInThatFile() throws IOException {
        Path versions = write("prompts/triage.yaml", """
                1:
                  system: "Sort {{ticket"
                2:
                  model: e
                  mesages: []
                """);
        Path config = write("tollgate.yaml", base("""
                prompts:
                  triage: { labels: { production: 2 }, versions_file: prompts/triage.yaml }
                """));
        assertThat(problems(loader().load(config))).containsExactly(
                versions + ":2:11: 1.system: not a valid template: '{{' at offset 5 is never closed with '}}' (write "
                        + "'\\{{' for literal braces)",
                versions + ":3:1: 2: a version needs a system text, messages or both",
                versions + ":4:10: 2.model: model 'e' serves embeddings; a prompt takes chat models only",
                versions + ":5:3: 2.mesages: unknown key 'mesages' (did you mean 'messages'?)");
    }

    @Test
    void aMissingOrBrokenVersionsFileIsAProblem() throws IOException {
        write("broken.yaml", "1: [unclosed\n");
        write("list.yaml", "- 1\n");
        write("empty.yaml", "");
        Path config = write("tollgate.yaml", base("""
                prompts:
                  missing: { labels: { production: 1 }, versions_file: nope.yaml }
                  broken: { versions_file: broken.yaml }
                  list: { versions_file: list.yaml }
                  empty: { versions_file: empty.yaml }
                  directory: { versions_file: . }
                  blank: { versions_file: '' }
                  device: { versions_file: /dev/null }
                """));
        List<String> found = problems(loader().load(config));
        assertThat(found).startsWith(
                config + ":9:56: prompts.missing.versions_file: versions file 'nope.yaml' no such file",
                config + ":13:31: prompts.directory.versions_file: versions file '.' is a directory, not a file",
                config + ":14:27: prompts.blank.versions_file: a path cannot be empty",
                config + ":15:28: prompts.device.versions_file: versions file '/dev/null' is not a regular file");
        assertThat(found).contains(
                dir.resolve("list.yaml") + ":1:1: expected a mapping of versions (1: {...}), got a list",
                dir.resolve("empty.yaml") + ":1:1: a versions file holds at least one version (1: {...})");
        assertThat(found).anyMatch(p -> p.startsWith(dir.resolve("broken.yaml") + ":"));
        assertThat(found).hasSize(7);
    }

    @Test
    void aVersionsFileSharedByTwoPromptsHasItsProblemsReportedOnce() throws IOException {
        Path versions = write("shared.yaml", "1: { system: a, model: gpt-5 }\n2: { sytem: b }\n");
        Path config = write("tollgate.yaml", base("""
                prompts:
                  one: { versions_file: shared.yaml }
                  two: { versions_file: shared.yaml }
                """));
        assertThat(problems(loader().load(config))).containsExactly(
                versions + ":1:24: 1.model: unknown model 'gpt-5'",
                versions + ":2:1: 2: a version needs a system text, messages or both",
                versions + ":2:6: 2.sytem: unknown key 'sytem' (did you mean 'system'?)");
    }

    @Test
    void aVersionsFileIsNamedBesideTheConfigFileAsThatIsNamed() throws IOException {
        write("prompts/triage.yaml", "versions:\n  1: { system: a }\n");
        Path config = write("tollgate.yaml", base("prompts:\n  triage: { versions_file: prompts/triage.yaml }\n"));
        Path relative = Path.of("").toAbsolutePath().relativize(config);
        assertThat(problems(loader().load(relative))).containsExactly(
                relative.resolveSibling("prompts/triage.yaml").normalize() + ":1:1: versions: a versions file's top "
                        + "level is the versions themselves (1: {...}); remove 'versions:' and unindent them");
    }

    @Test
    void aModelMayBeAnyNameAClientSendsForChat() {
        String yaml = base("""
                splits: { canary: { model: assistant, variants: { a: 1, b: 1 } } }
                auto_tier: { aliases: [smart], default: fast }
                prompts:
                  p:
                    labels: { production: 1 }
                    versions: { 1: { system: hi, model: smart }, 2: { system: yo, model: tier:fast } }
                experiments:
                  x: { prompt: p, arms: { split: { model: assistant, weight: 1 }, group: { model: b, weight: 1 } } }
                """);
        PromptRegistry registry = loaded(loader().parse("t.yaml", yaml)).snapshot().prompts();
        assertThat(registry.prompts().get("p").versions().values()).extracting(PromptVersion::model)
                .containsExactly("smart", "tier:fast");
        assertThat(registry.experiment("p", "production").arms()).extracting(Experiment.Arm::model)
                .containsExactly("assistant", "b");
    }

    @Test
    void freeTextMayStartLikeASecretReference() {
        // Only secret-bearing fields read ${...}; in a prompt it is text, as in a JavaScript template literal.
        String yaml = base("""
                prompts:
                  p:
                    description: "${team} answers"
                    versions:
                      1:
                        note: "${ticket} moved into the system text"
                        system: "${amount} is due; say so for {{name}}"
                        messages: [{ role: user, content: "${x}" }]
                        params: { stop: "${" }
                """);
        PromptVersion version = loaded(loader().parse("t.yaml", yaml)).snapshot().prompts().prompts().get("p")
                .version(1);
        assertThat(version.system().source()).isEqualTo("${amount} is due; say so for {{name}}");
        assertThat(version.messages()).singleElement().satisfies(m -> assertThat(m.content().source()).isEqualTo("${x}"));
        assertThat(version.note()).isEqualTo("${ticket} moved into the system text");
        assertThat(version.params().stop()).containsExactly("${");
    }

    record Case(String name, String yaml, List<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A prompt p with versions 1 and 2, production at 1 and beta at 2, at line 9; the lines follow from line 10. */
    private static String withPrompt(String lines) {
        return base("""
                prompts:
                  p: { labels: { production: 1, beta: 2 }, versions: { 1: { system: one }, 2: { system: two } } }
                """ + lines);
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("unknown keys", base("""
                        prompts:
                          p:
                            version: {}
                            versions: { 1: { sytem: hi, messages: [{ role: user, contnet: x }], params: { temprature: 1 } } }
                        experiments:
                          x: { prompt: p, arm: {} }
                        """), List.of(
                        "t.yaml:10:5: prompts.p.version: unknown key 'version' (did you mean 'versions'?)",
                        "t.yaml:11:22: prompts.p.versions.1.sytem: unknown key 'sytem' (did you mean 'system'?)",
                        "t.yaml:11:44: prompts.p.versions.1.messages[0].content: required key is missing",
                        "t.yaml:11:58: prompts.p.versions.1.messages[0].contnet: unknown key 'contnet' (did you mean 'content'?)",
                        "t.yaml:11:83: prompts.p.versions.1.params.temprature: unknown key 'temprature' (did you mean 'temperature'?)",
                        "t.yaml:13:6: experiments.x.arms: required key is missing",
                        "t.yaml:13:6: experiments.x.label: prompt 'p' has no label 'production'; give it one under prompts.p.labels",
                        "t.yaml:13:19: experiments.x.arm: unknown key 'arm' (did you mean 'arms'?)")),
                new Case("template syntax", base("""
                        prompts:
                          p:
                            versions:
                              1:
                                system: "Hello {{ first name }}"
                                messages: [{ role: user, content: "{{ticket" }, { role: tool, content: x }]
                        """), List.of(
                        "t.yaml:12:17: prompts.p.versions.1.system: not a valid template: '{{ first name }}' at offset 6 is not a variable name (a letter or '_', then letters, digits, '_', '-' or '.'; write '\\{{' for literal braces)",
                        "t.yaml:13:43: prompts.p.versions.1.messages[0].content: not a valid template: '{{' at offset 0 is never closed with '}}' (write '\\{{' for literal braces)",
                        "t.yaml:13:65: prompts.p.versions.1.messages[1].role: unknown role 'tool'; expected system, user or assistant")),
                new Case("version numbers and content", base("""
                        prompts:
                          p:
                            versions:
                              0: { system: a }
                              v2: { system: b }
                              3: {}
                              4: { messages: [] }
                              5: { system: "" }
                        """), List.of(
                        "t.yaml:11:7: prompts.p.versions.0: a version number is a whole number from 1 to 999999999, got '0'",
                        "t.yaml:12:7: prompts.p.versions.v2: a version number is a whole number from 1 to 999999999, got 'v2'",
                        "t.yaml:13:7: prompts.p.versions.3: a version needs a system text, messages or both",
                        "t.yaml:14:22: prompts.p.versions.4.messages: a version needs a system text, messages or both",
                        "t.yaml:15:20: prompts.p.versions.5.system: a template cannot be empty")),
                new Case("version numbers too large or quoted", withPrompt("""
                        experiments:
                          x: { prompt: p, label: beta, arms: { a: { version: '2', weight: 1 }, b: { version: 1234567890, weight: 1 } } }
                        """).replace("production: 1,", "production: '1', staging: 99999999999999999999,")
                        .replace("versions: { 1:", "versions: { 1000000000: { system: big }, 01: { system: zero }, 1:"),
                        List.of(
                        "t.yaml:9:30: prompts.p.labels.production: a version number is a whole number from 1 to 999999999, got '1' (remove the quotes)",
                        "t.yaml:9:44: prompts.p.labels.staging: a version number is a whole number from 1 to 999999999, got '99999999999999999999'",
                        "t.yaml:9:89: prompts.p.versions.1000000000: a version number is a whole number from 1 to 999999999, got '1000000000'",
                        "t.yaml:9:118: prompts.p.versions.01: a version number is written without leading zeros, got '01'",
                        "t.yaml:11:54: experiments.x.arms.a.version: a version number is a whole number from 1 to 999999999, got '2' (remove the quotes)",
                        "t.yaml:11:86: experiments.x.arms.b.version: a version number is a whole number from 1 to 999999999, got '1234567890'")),
                new Case("labels", base("""
                        prompts:
                          p:
                            labels: { production: 3, 2: 1, beta: two, Bad Name: 1 }
                            versions: { 1: { system: a }, 2: { system: b } }
                        """), List.of(
                        "t.yaml:10:27: prompts.p.labels.production: there is no version 3; this prompt has 1, 2",
                        "t.yaml:10:30: prompts.p.labels.2: label name '2' is a number, which a request reads as a version (id@2); a label needs a letter",
                        "t.yaml:10:42: prompts.p.labels.beta: a version number is a whole number from 1 to 999999999, got 'two'",
                        "t.yaml:10:47: prompts.p.labels.Bad Name: label name 'Bad Name' must start with a letter or digit and use only letters, digits, '.', '_' and '-'")),
                new Case("prompt without versions", base("""
                        prompts:
                          p: { labels: { production: 1 } }
                          q: { versions: {} }
                          r:
                          bad name: { versions: { 1: { system: a } } }
                        """), List.of(
                        "t.yaml:9:6: prompts.p.versions: required key is missing",
                        "t.yaml:10:18: prompts.q.versions: a prompt needs at least one version",
                        "t.yaml:11:5: prompts.r.versions: required key is missing",
                        "t.yaml:12:3: prompts.bad name: prompt name 'bad name' must start with a letter or digit and use only letters, digits, '.', '_' and '-'")),
                new Case("versions and versions_file", base("""
                        prompts:
                          p: { versions: { 1: { system: a } }, versions_file: p.yaml }
                        """), List.of(
                        "t.yaml:9:40: prompts.p.versions_file: a prompt takes versions or versions_file, not both")),
                new Case("params out of range", base("""
                        prompts:
                          p:
                            versions:
                              1:
                                system: a
                                params: { temperature: 2.5, top_p: -0.1, max_tokens: 0, seed: x, presence_penalty: -3, frequency_penalty: 2.1 }
                              2:
                                system: b
                                params: { stop: [a, b, c, d, e] }
                              3:
                                system: c
                                params: { stop: [""], temperature: "1" }
                              4:
                                system: d
                                params: { stop: { a: b } }
                        """), List.of(
                        "t.yaml:13:32: prompts.p.versions.1.params.temperature: must be between 0 and 2, got 2.5",
                        "t.yaml:13:44: prompts.p.versions.1.params.top_p: must be between 0 and 1, got -0.1",
                        "t.yaml:13:62: prompts.p.versions.1.params.max_tokens: must be between 1 and 2147483647, got 0",
                        "t.yaml:13:71: prompts.p.versions.1.params.seed: expected a whole number, got 'x'",
                        "t.yaml:13:92: prompts.p.versions.1.params.presence_penalty: must be between -2 and 2, got -3",
                        "t.yaml:13:115: prompts.p.versions.1.params.frequency_penalty: must be between -2 and 2, got 2.1",
                        "t.yaml:16:25: prompts.p.versions.2.params.stop: at most 4 stop sequences, found 5",
                        "t.yaml:19:26: prompts.p.versions.3.params.stop[0]: a stop sequence cannot be empty",
                        "t.yaml:19:44: prompts.p.versions.3.params.temperature: expected a number, got '1' (remove the quotes)",
                        "t.yaml:22:25: prompts.p.versions.4.params.stop: expected a string, got a mapping")),
                new Case("version models", base("""
                        prompts:
                          p: { versions: { 1: { system: a, model: gpt-5 }, 2: { system: b, model: e }, 3: { system: c, model: tier:slow } } }
                        """), List.of(
                        "t.yaml:9:43: prompts.p.versions.1.model: unknown model 'gpt-5'",
                        "t.yaml:9:75: prompts.p.versions.2.model: model 'e' serves embeddings; a prompt takes chat models only",
                        "t.yaml:9:103: prompts.p.versions.3.model: unknown model 'tier:slow'")),
                new Case("unknown prompt", withPrompt("""
                        experiments:
                          x: { prompt: q, arms: { a: { version: 2, weight: 1 } } }
                          y: { prompt: nope, arms: { a: { version: 2, weight: 1 } } }
                        """), List.of(
                        "t.yaml:11:16: experiments.x.prompt: unknown prompt 'q' (did you mean 'p'?)",
                        "t.yaml:12:16: experiments.y.prompt: unknown prompt 'nope'")),
                new Case("missing label", withPrompt("""
                        experiments:
                          x: { prompt: p, label: staging, arms: { a: { version: 2, weight: 1 } } }
                        """).replace("beta: 2", "betta: 2"), List.of(
                        "t.yaml:11:26: experiments.x.label: prompt 'p' has no label 'staging'; it has production, betta")),
                new Case("default label missing", base("""
                        prompts:
                          p: { versions: { 1: { system: one } } }
                        experiments:
                          x: { prompt: p, arms: { a: { model: b, weight: 1 } } }
                        """), List.of(
                        "t.yaml:11:6: experiments.x.label: prompt 'p' has no label 'production'; give it one under prompts.p.labels")),
                new Case("arm problems", withPrompt("""
                        experiments:
                          x:
                            prompt: p
                            sticky: users
                            arms:
                              a: { version: 7, weight: 1 }
                              b: { weight: 1 }
                              c: { version: 0, weight: 1 }
                              d: { model: e, weight: 10001 }
                              e: { model: zz, weight: 1 }
                              f: { model: b }
                              g: b
                        """), List.of(
                        "t.yaml:13:13: experiments.x.sticky: unknown choice 'users' (did you mean 'user'?); expected key or user",
                        "t.yaml:15:21: experiments.x.arms.a.version: prompt 'p' has no version 7; it has 1, 2",
                        "t.yaml:16:7: experiments.x.arms.b: an arm sets a version, a model or both; this one would change nothing",
                        "t.yaml:17:21: experiments.x.arms.c.version: a version number is a whole number from 1 to 999999999, got '0'",
                        "t.yaml:18:19: experiments.x.arms.d.model: model 'e' serves embeddings; an experiment takes chat models only",
                        "t.yaml:18:30: experiments.x.arms.d.weight: a weight is a whole number between 0 and 10000, got '10001'",
                        "t.yaml:19:19: experiments.x.arms.e.model: unknown model 'zz' (did you mean 'a'?)",
                        "t.yaml:20:10: experiments.x.arms.f.weight: required key is missing",
                        "t.yaml:21:10: experiments.x.arms.g: expected a mapping, got a string")),
                new Case("no weight", withPrompt("""
                        experiments:
                          x: { prompt: p, arms: { a: { version: 1, weight: 0 }, b: { version: 2, weight: 0 } } }
                          y: { prompt: p, label: beta, arms: {} }
                        """), List.of(
                        "t.yaml:11:25: experiments.x.arms: the weights add up to 0: at least one arm needs a weight",
                        "t.yaml:12:38: experiments.y.arms: an experiment needs at least one arm")),
                new Case("two experiments on one label", withPrompt("""
                        experiments:
                          x: { prompt: p, arms: { a: { version: 2, weight: 1 } } }
                          y: { prompt: p, label: production, arms: { a: { model: b, weight: 1 } } }
                          z: { prompt: p, label: beta, arms: { a: { model: b, weight: 1 } } }
                        """), List.of(
                        "t.yaml:12:3: experiments.y: experiment 'x' already splits p@production; a prompt's label has one experiment")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsExactlyTheseProblems(Case c) {
        assertThat(problems(loader().parse("t.yaml", c.yaml()))).containsExactlyElementsOf(c.expected());
    }
}
