package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConfigEditsTest {

    /** The document as plain maps, lists and strings: what it means, without positions. */
    private static Object plain(String text) {
        var problems = new Diagnostics("t.yaml");
        YamlNode root = YamlTreeReader.read(text, problems);
        assertThat(problems.errors()).as("edited text parses:\n%s", text).isEmpty();
        return plain(root);
    }

    private static Object plain(YamlNode node) {
        return switch (node) {
            case YamlNode.Mapping m -> {
                var out = new LinkedHashMap<String, Object>();
                m.entries().forEach(e -> out.put(e.key(), plain(e.value())));
                yield out;
            }
            case YamlNode.Sequence s -> s.items().stream().map(ConfigEditsTest::plain).toList();
            case YamlNode.Scalar s -> s.kind() == YamlNode.Kind.NULL ? "<null>" : s.text();
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> at(Object tree, String... path) {
        Object node = tree;
        for (String key : path) {
            node = ((Map<String, Object>) node).get(key);
        }
        return (Map<String, Object>) node;
    }

    /** Lines of {@code text} that are comments: an edit keeps every one outside what it removes. */
    private static List<String> comments(String text) {
        return text.lines().filter(l -> l.strip().startsWith("#") || l.contains(" #")).toList();
    }

    /** A random config with two prompts and two experiments, written in one of several styles. */
    private record Sample(String text, String labelsStyle) {}

    private static Sample sample(Random random) {
        String in = random.nextBoolean() ? "  " : "    ";
        String nl = random.nextInt(4) == 0 ? "\r\n" : "\n";
        String labelsStyle = List.of("block", "flow", "none", "empty").get(random.nextInt(4));
        var out = new StringBuilder();
        out.append("# Tollgate config").append(nl);
        out.append("models:").append(nl).append(in).append("chat: {deployments: [{provider: p, model: m}]}")
                .append(nl).append(nl);
        out.append("prompts:").append(random.nextBoolean() ? "   # the registry" : "").append(nl);
        out.append(in).append("support-answer:").append(nl);
        out.append(in).append(in).append("description: Answers tickets").append(nl);
        if (random.nextBoolean()) {
            out.append(in).append(in).append("# which version serves").append(nl);
        }
        switch (labelsStyle) {
            case "block" -> {
                out.append(in).append(in).append("labels:").append(nl);
                out.append(in).append(in).append(in).append("production: ")
                        .append(random.nextBoolean() ? "1" : "'1'").append(random.nextBoolean() ? "  # live" : "")
                        .append(nl);
                if (random.nextBoolean()) {
                    out.append(in).append(in).append(in).append("staging: 2").append(nl);
                }
            }
            case "flow" -> out.append(in).append(in).append("labels: {production: 1, staging: 2}").append(nl);
            case "empty" -> out.append(in).append(in).append("labels:").append(nl);
            default -> { }
        }
        out.append(in).append(in).append("versions:").append(nl);
        out.append(in).append(in).append(in).append("1: {system: \"You answer for {{product}}.\"}").append(nl);
        out.append(in).append(in).append(in).append("2:").append(nl);
        out.append(in).append(in).append(in).append(in).append("system: |").append(nl);
        out.append(in).append(in).append(in).append(in).append(in).append("Briefly.").append(nl);
        out.append(in).append("other:").append(nl);
        out.append(in).append(in).append("labels: {production: 1}").append(nl);
        out.append(in).append(in).append("versions: {1: {system: x}}").append(nl);
        out.append(nl);
        out.append("experiments:").append(nl);
        out.append(in).append("tone:").append(nl);
        out.append(in).append(in).append("prompt: support-answer").append(nl);
        out.append(in).append(in).append("# half and half").append(nl);
        out.append(in).append(in).append("arms:").append(nl);
        out.append(in).append(in).append(in).append("a: {version: 1, weight: 50}").append(nl);
        out.append(in).append(in).append(in).append("b: {version: 2, weight: 50}").append(nl);
        if (random.nextBoolean()) {
            out.append(nl).append("# kept: about the next one").append(nl);
        }
        out.append(in).append("length:").append(nl);
        out.append(in).append(in).append("prompt: other").append(nl);
        out.append(in).append(in).append("arms: {a: {version: 1, weight: 1}}").append(nl);
        if (random.nextBoolean()) {
            out.append(nl).append("# the end").append(nl).append("admin: {keys: []}");
            if (random.nextBoolean()) {
                out.append(nl);
            }
        }
        return new Sample(out.toString(), labelsStyle);
    }

    @Test
    void movingALabelChangesThatValueOnlyAndKeepsEveryComment() {
        Random random = new Random(11);
        for (int run = 0; run < 300; run++) {
            Sample s = sample(random);
            String label = random.nextBoolean() ? "production" : "canary";
            int version = 1 + random.nextInt(9);
            Object before = plain(s.text());
            boolean flowWithout = s.labelsStyle().equals("flow") && label.equals("canary");
            if (flowWithout) {
                assertThatThrownBy(() -> ConfigEdits.setLabel(s.text(), "support-answer", label, version))
                        .isInstanceOf(ConfigEdits.Refused.class).hasMessageContaining("flow style");
                continue;
            }
            String edited = ConfigEdits.setLabel(s.text(), "support-answer", label, version);
            Object after = plain(edited);
            Map<String, Object> prompt = at(before, "prompts", "support-answer");
            Object labels = prompt.get("labels");
            Map<String, Object> expectedLabels = labels instanceof Map<?, ?> m
                    ? new LinkedHashMap<>(at(before, "prompts", "support-answer", "labels")) : new LinkedHashMap<>();
            expectedLabels.put(label, Integer.toString(version));
            prompt.put("labels", expectedLabels);
            assertThat(after).as("edited:\n%s", edited).isEqualTo(before);
            assertThat(comments(edited)).containsAll(comments(s.text()).stream()
                    .map(c -> label.equals("production")
                            ? c.replaceFirst("production: ('1'|1)", "production: " + version) : c).toList());
            // only the edited line changed, or one or two lines were added
            List<String> was = s.text().lines().toList();
            List<String> now = edited.lines().toList();
            assertThat(now.size() - was.size()).isBetween(0, 2);
            if (s.text().contains("\r\n")) {
                assertThat(edited.replace("\r\n", "")).doesNotContain("\n");
            }
        }
    }

    @Test
    void removingAnExperimentRemovesItsLinesOnly() {
        Random random = new Random(12);
        for (int run = 0; run < 300; run++) {
            Sample s = sample(random);
            String name = random.nextBoolean() ? "tone" : "length";
            Object before = plain(s.text());
            String edited = ConfigEdits.deleteExperiment(s.text(), name);
            at(before, "experiments").remove(name);
            assertThat(plain(edited)).as("edited:\n%s", edited).isEqualTo(before);
            List<String> removed = new ArrayList<>(s.text().lines().toList());
            for (String line : edited.lines().toList()) {
                removed.remove(line);
            }
            removed.removeIf(String::isBlank);
            assertThat(removed).allSatisfy(l -> assertThat(l).doesNotContain("kept", "the end", "Tollgate"));
            // removing the other one too leaves an empty section
            String other = name.equals("tone") ? "length" : "tone";
            Object empty = plain(ConfigEdits.deleteExperiment(edited, other));
            assertThat(at(empty, "prompts")).isEqualTo(at(before, "prompts"));
            assertThat(((Map<?, ?>) empty).get("experiments")).isEqualTo("<null>");
        }
    }

    @Test
    void aNewLabelGoesUnderTheExistingBlockWithItsIndentation() {
        String text = """
                prompts:
                    p:
                        labels:
                            production: 1   # live
                        versions: {1: {system: a}, 2: {system: b}}
                """;
        assertThat(ConfigEdits.setLabel(text, "p", "staging", 2)).isEqualTo("""
                prompts:
                    p:
                        labels:
                            production: 1   # live
                            staging: 2
                        versions: {1: {system: a}, 2: {system: b}}
                """);
        assertThat(ConfigEdits.setLabel(text, "p", "production", 2)).isEqualTo("""
                prompts:
                    p:
                        labels:
                            production: 2   # live
                        versions: {1: {system: a}, 2: {system: b}}
                """);
    }

    @Test
    void aPromptWithoutLabelsGetsABlock() {
        String text = "prompts:\n  p:   # mine\n    versions: {1: {system: a}}\n";
        assertThat(ConfigEdits.setLabel(text, "p", "production", 1))
                .isEqualTo("prompts:\n  p:   # mine\n    labels:\n      production: 1\n    versions: {1: {system: a}}\n");
    }

    @Test
    void aFlowLabelMapHasItsValueReplacedInPlace() {
        String text = "prompts:\n  p:\n    labels: {production: 1, staging: 1}\n    versions: {1: {system: a}, "
                + "2: {system: b}}\n";
        assertThat(ConfigEdits.setLabel(text, "p", "production", 2))
                .contains("labels: {production: 2, staging: 1}");
        assertThat(ConfigEdits.setLabel(text, "p", "staging", 2))
                .contains("labels: {production: 1, staging: 2}");
    }

    @Test
    void refusalsNameWhatToDo() {
        String text = "prompts:\n  p: {versions: {1: {system: a}}}\nexperiments: {e: {prompt: p}}\n";
        assertThatThrownBy(() -> ConfigEdits.setLabel(text, "p", "production", 1))
                .isInstanceOf(ConfigEdits.Refused.class).hasMessageContaining("flow style")
                .hasMessageContaining("editing the file");
        assertThatThrownBy(() -> ConfigEdits.setLabel(text, "q", "production", 1))
                .isInstanceOf(ConfigEdits.Refused.class).hasMessage("The config file has no prompt 'q' under "
                        + "'prompts'.");
        assertThatThrownBy(() -> ConfigEdits.deleteExperiment(text, "e"))
                .isInstanceOf(ConfigEdits.Refused.class).hasMessageContaining("flow style");
        assertThatThrownBy(() -> ConfigEdits.deleteExperiment(text, "x"))
                .isInstanceOf(ConfigEdits.Refused.class).hasMessageContaining("no experiment 'x'");
        assertThatThrownBy(() -> ConfigEdits.setLabel("a: [", "p", "production", 1))
                .isInstanceOf(ConfigEdits.Refused.class).hasMessageContaining("does not parse");
    }

    @Test
    void sharedLabelsWrittenAsAnAliasAreNotEditedThroughOnePrompt() {
        String text = """
                prompts:
                  p:
                    labels: &shared
                      production: 1
                    versions: {1: {system: a}, 2: {system: b}}
                  q:
                    labels: *shared
                    versions: {1: {system: a}, 2: {system: b}}
                """;
        for (String prompt : List.of("p", "q")) {
            assertThatThrownBy(() -> ConfigEdits.setLabel(text, prompt, "production", 2))
                    .isInstanceOf(ConfigEdits.Refused.class).hasMessageContaining("YAML anchor");
        }
    }

    @Test
    void columnsCountCharactersBeyondTheBasicPlaneOnce() {
        // The reader counts columns in code points; an emoji before the value on its line is one of them, two chars.
        String text = "prompts:\n  p: {description: \"\uD83D\uDE80 launch\", labels: {production: 1}, versions: "
                + "{1: {system: a}, 2: {system: b}}}\n";
        assertThat(ConfigEdits.setLabel(text, "p", "production", 2))
                .isEqualTo(text.replace("{production: 1}", "{production: 2}"));
        assertThatThrownBy(() -> ConfigEdits.setLabel(text, "p", "canary", 2))
                .isInstanceOf(ConfigEdits.Refused.class).hasMessageContaining("flow style");
    }

    @Test
    void labelsWrittenAsAnExplicitNullGetABlock() {
        for (String none : List.of("~", "null", "Null  # none yet")) {
            String text = "prompts:\n  p:\n    labels: " + none + "\n    versions: {1: {system: a}}\n";
            String edited = ConfigEdits.setLabel(text, "p", "production", 1);
            assertThat(edited).as(none).isEqualTo("prompts:\n  p:\n    labels:" + none.substring(none.split(" ")[0]
                    .length()) + "\n      production: 1\n    versions: {1: {system: a}}\n");
            assertThat(at(plain(edited), "prompts", "p", "labels")).isEqualTo(Map.of("production", "1"));
        }
    }

    @Test
    void anEditThatWouldChangeAnythingElseIsRefused() {
        // The last label's value runs over two lines: a line added after its first would land inside it.
        String text = "prompts:\n  p:\n    labels:\n      production: 1\n      staging: >-\n        2\n"
                + "    versions: {1: {system: a}, 2: {system: b}}\n";
        assertThatThrownBy(() -> ConfigEdits.setLabel(text, "p", "canary", 2))
                .isInstanceOf(ConfigEdits.Refused.class).hasMessageContaining("edit the file");
    }

    @Test
    void positionFindsAKey() {
        String text = "prompts:\n  p:\n    versions:\n      1: {system: a}\n      2: {system: b}\n";
        assertThat(ConfigEdits.position(text, "prompts", "p", "versions", "2"))
                .isEqualTo(new ConfigEdits.Position(5, 7));
        assertThat(ConfigEdits.position(text, "prompts", "p", "versions", "3")).isNull();
        assertThat(ConfigEdits.position("a: [", "prompts")).isNull();
    }
}
