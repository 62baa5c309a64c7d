package dev.tollgate.core.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.routing.Split;
import dev.tollgate.core.routing.StickyDraw;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PromptRegistryTest {
    private static final Random RANDOM = new Random(7);

    static PromptVersion version(int n, String system) {
        return new PromptVersion(n, Template.parse(system),
                List.of(new PromptMessage(Role.USER, Template.parse("Ticket: {{ticket}}"))), null, Sampling.DEFAULTS,
                null);
    }

    static Prompt prompt(String id, Map<String, Integer> labels, PromptVersion... versions) {
        var byNumber = new TreeMap<Integer, PromptVersion>();
        for (PromptVersion v : versions) {
            byNumber.put(v.number(), v);
        }
        return new Prompt(id, null, byNumber, labels);
    }

    private static final Prompt SUPPORT = prompt("support", labels("production", 1, "staging", 2),
            version(1, "You answer for {{product}}."), version(2, "Answer briefly for {{product}}."),
            version(3, "Draft {{product}}."));

    private static Map<String, Integer> labels(String a, int va, String b, int vb) {
        var labels = new java.util.LinkedHashMap<String, Integer>();
        labels.put(a, va);
        labels.put(b, vb);
        return labels;
    }

    private static PromptRegistry registry(Experiment... experiments) {
        var byName = new java.util.LinkedHashMap<String, Experiment>();
        for (Experiment e : experiments) {
            byName.put(e.name(), e);
        }
        return new PromptRegistry(Map.of(SUPPORT.id(), SUPPORT), byName);
    }

    @Test
    void aReferenceReachesALabelAVersionOrTheDefault() {
        PromptRegistry r = registry();
        assertThat(r.choose(new PromptRef("support", "staging", null), "k", null, RANDOM).use())
                .isEqualTo(new PromptUse("support", 2, "staging", null, null));
        assertThat(r.choose(new PromptRef("support", null, 3), "k", null, RANDOM).use())
                .isEqualTo(new PromptUse("support", 3, null, null, null));
        assertThat(r.choose(new PromptRef("support", null, null), "k", null, RANDOM).use())
                .isEqualTo(new PromptUse("support", 1, "production", null, null));
    }

    @Test
    void aPromptWithoutTheDefaultLabelServesItsNewestVersion() {
        Prompt bare = prompt("bare", Map.of(), version(1, "a"), version(4, "b"));
        var r = new PromptRegistry(Map.of("bare", bare), Map.of());
        assertThat(r.choose(PromptRef.parse("bare", "h"), null, null, RANDOM).version().number()).isEqualTo(4);
    }

    @Test
    void unknownPromptsLabelsAndVersionsAre404sThatSayWhatExists() {
        PromptRegistry r = registry();
        assertThatThrownBy(() -> r.choose(PromptRef.parse("nope", "h"), null, null, RANDOM))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error().httpStatus()).isEqualTo(404);
                    assertThat(e.error().code()).isEqualTo("prompt_not_found");
                    assertThat(e.error().message()).isEqualTo("No prompt 'nope' is defined.");
                });
        assertThatThrownBy(() -> r.choose(PromptRef.parse("support@canary", "h"), null, null, RANDOM))
                .hasMessageContaining("no label 'canary'").hasMessageContaining("production, staging");
        assertThatThrownBy(() -> r.choose(PromptRef.parse("support@9", "h"), null, null, RANDOM))
                .hasMessageContaining("no version 9").hasMessageContaining("1, 2, 3");
    }

    @Test
    void headerReferencesParseAndBadOnesAre400s() {
        assertThat(PromptRef.parse("a@b@production", "h")).isEqualTo(new PromptRef("a@b", "production", null));
        assertThat(PromptRef.parse(" support @ 12 ", "h")).isEqualTo(new PromptRef("support", null, 12));
        for (String bad : new String[] {"", "@x", "a@", "a@0", "a@1000000000", "x".repeat(129)}) {
            assertThatThrownBy(() -> PromptRef.parse(bad, "x-tollgate-prompt")).as(bad)
                    .isInstanceOfSatisfying(GatewayException.class, e -> {
                        assertThat(e.error().httpStatus()).isEqualTo(400);
                        assertThat(e.error().message()).contains("x-tollgate-prompt");
                    });
        }
    }

    @Test
    void aVersionTooLargeSaysTheLimitAndLeadingZerosAreRead() {
        assertThat(PromptRef.parse("a@007", "h")).isEqualTo(new PromptRef("a", null, 7));
        assertThat(PromptRef.parse("a@0000000999999999", "h").version()).isEqualTo(PromptVersion.MAX_NUMBER);
        assertThatThrownBy(() -> PromptRef.parse("a@99999999999999999999", "h"))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.error().message()).isEqualTo(
                        "Invalid prompt reference in h: a prompt version is a whole number from 1 to 999999999, got "
                                + "'99999999999999999999'."));
        assertThatThrownBy(() -> version(PromptVersion.MAX_NUMBER + 1, "a"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void renderingNamesEveryMissingVariable() {
        assertThatThrownBy(() -> SUPPORT.version(1).render("support", Map.of()))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error().httpStatus()).isEqualTo(400);
                    assertThat(e.error().code()).isEqualTo("prompt_variables_missing");
                    assertThat(e.error().message()).contains("variables product, ticket");
                });
        PromptVersion.Rendered r = SUPPORT.version(1).render("support", Map.of("product", "Acme", "ticket", "T-1",
                "unused", "x"));
        assertThat(r.system()).isEqualTo("You answer for Acme.");
        assertThat(r.messages()).singleElement().satisfies(m -> {
            assertThat(m.role()).isEqualTo(Role.USER);
            assertThat(m.text()).isEqualTo("Ticket: T-1");
        });
    }

    @Test
    void aVariableWhoseValueIsNullIsMissingNotACrash() {
        var values = new HashMap<String, String>(Map.of("product", "Acme"));
        values.put("ticket", null);
        assertThatThrownBy(() -> SUPPORT.version(1).render("support", values))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error().httpStatus()).isEqualTo(400);
                    assertThat(e.error().message()).contains("needs variable ticket;");
                });
    }

    @Test
    void anExperimentTakesOnlyTheTrafficOfItsLabel() {
        var exp = new Experiment("tone", "support", "production", Split.Sticky.KEY, List.of(
                new Experiment.Arm("a", null, "m-a", 1),
                new Experiment.Arm("b", 2, "m-b", 1)));
        PromptRegistry r = registry(exp);
        PromptChoice viaDefault = r.choose(PromptRef.parse("support", "h"), "key-1", null, RANDOM);
        assertThat(viaDefault.use().experiment()).isEqualTo("tone");
        assertThat(viaDefault.use().label()).isEqualTo("production");
        // pinned versions and other labels asked for something definite
        assertThat(r.choose(PromptRef.parse("support@1", "h"), "key-1", null, RANDOM).use().experiment()).isNull();
        assertThat(r.choose(PromptRef.parse("support@staging", "h"), "key-1", null, RANDOM).use().experiment())
                .isNull();
    }

    @Test
    void anArmWithoutAVersionRendersTheLabelsVersionAndItsModelWins() {
        var exp = new Experiment("models", "support", "production", Split.Sticky.KEY, List.of(
                new Experiment.Arm("only", null, "claude", 1)));
        PromptChoice c = registry(exp).choose(PromptRef.parse("support", "h"), "k", null, RANDOM);
        assertThat(c.version().number()).isEqualTo(1);
        assertThat(c.model()).isEqualTo("claude");
        assertThat(c.use()).isEqualTo(new PromptUse("support", 1, "production", "models", "only"));
        assertThat(c.use().variant()).isEqualTo("models/only");
    }

    @Test
    void assignmentIsStickyPerKeyOrUserAndFollowsTheWeights() {
        var exp = new Experiment("tone", "support", "production", Split.Sticky.USER, List.of(
                new Experiment.Arm("a", 1, null, 30), new Experiment.Arm("b", 2, null, 70)));
        PromptRegistry r = registry(exp);
        PromptRef ref = PromptRef.parse("support", "h");
        var counts = new HashMap<String, Integer>();
        int callers = 20_000;
        for (int i = 0; i < callers; i++) {
            String user = "user-" + i;
            String arm = r.choose(ref, "shared-key", user, RANDOM).use().arm();
            for (int again = 0; again < 3; again++) {
                assertThat(r.choose(ref, "shared-key", user, new Random(again)).use().arm()).isEqualTo(arm);
            }
            counts.merge(arm, 1, Integer::sum);
        }
        assertThat(counts.get("a") / (double) callers).isCloseTo(0.30, within(0.015));
        // without a user, the key is what sticks
        String byKey = r.choose(ref, "key-9", null, RANDOM).use().arm();
        for (int i = 0; i < 20; i++) {
            assertThat(r.choose(ref, "key-9", null, new Random(i)).use().arm()).isEqualTo(byKey);
        }
    }

    @Test
    void aCallerKeepsItsArmWhenAnotherExperimentChanges() {
        // The draw is salted with the experiment's name, so experiments are independent of each other.
        var one = new Experiment("one", "support", "production", Split.Sticky.KEY, List.of(
                new Experiment.Arm("a", 1, null, 1), new Experiment.Arm("b", 2, null, 1)));
        var two = new Experiment("two", "support", "production", Split.Sticky.KEY, List.of(
                new Experiment.Arm("a", 1, null, 1), new Experiment.Arm("b", 2, null, 1)));
        int same = 0;
        for (int i = 0; i < 4000; i++) {
            String key = "k" + i;
            String first = registry(one).choose(PromptRef.parse("support", "h"), key, null, RANDOM).use().arm();
            String second = registry(two).choose(PromptRef.parse("support", "h"), key, null, RANDOM).use().arm();
            same += first.equals(second) ? 1 : 0;
        }
        assertThat(same / 4000.0).isCloseTo(0.5, within(0.04));
    }

    @Test
    void anExperimentIsIndependentOfASplitOfTheSameName() {
        // A split draws with its name as the salt; an experiment of that name must not draw the same way, or a
        // model split and a prompt experiment both called "tone" would send the same callers down both first arms.
        var tone = new Experiment("tone", "support", "production", Split.Sticky.KEY, List.of(
                new Experiment.Arm("a", 1, null, 1), new Experiment.Arm("b", 2, null, 1)));
        int same = 0;
        for (int i = 0; i < 4000; i++) {
            String key = "k" + i;
            String split = StickyDraw.pick(List.of("a", "b"), v -> 1, "tone", key, RANDOM);
            same += split.equals(registry(tone).choose(PromptRef.parse("support", "h"), key, null, RANDOM).use()
                    .arm()) ? 1 : 0;
        }
        assertThat(same / 4000.0).isCloseTo(0.5, within(0.04));
    }

    @Test
    void editedVersionsAreFoundAndNotesMayChange() {
        Prompt edited = prompt("support", Map.of("production", 1), version(1, "Changed."),
                new PromptVersion(2, Template.parse("Answer briefly for {{product}}."),
                        SUPPORT.version(2).messages(), null, Sampling.DEFAULTS, "a note added later"),
                version(4, "New."));
        var next = new PromptRegistry(Map.of("support", edited), Map.of());
        assertThat(next.editedVersions(registry())).containsExactly("support@1");
        assertThat(registry().editedVersions(PromptRegistry.EMPTY)).isEmpty();
    }

    @Test
    void aRegistryRefusesExperimentsItCannotServe() {
        assertThatThrownBy(() -> registry(new Experiment("x", "support", "canary", Split.Sticky.KEY,
                List.of(new Experiment.Arm("a", 1, null, 1))))).hasMessageContaining("canary");
        assertThatThrownBy(() -> registry(new Experiment("x", "support", "production", Split.Sticky.KEY,
                List.of(new Experiment.Arm("a", 7, null, 1))))).hasMessageContaining("version 7");
        assertThatThrownBy(() -> registry(
                new Experiment("x", "support", "production", Split.Sticky.KEY, List.of(new Experiment.Arm("a", 1, null, 1))),
                new Experiment("y", "support", "production", Split.Sticky.KEY, List.of(new Experiment.Arm("a", 1, null, 1)))))
                .hasMessageContaining("both split support@production");
    }
}
