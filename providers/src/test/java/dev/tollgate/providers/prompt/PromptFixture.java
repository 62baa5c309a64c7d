package dev.tollgate.providers.prompt;

import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.prompt.Experiment;
import dev.tollgate.core.prompt.Prompt;
import dev.tollgate.core.prompt.PromptMessage;
import dev.tollgate.core.prompt.PromptRegistry;
import dev.tollgate.core.prompt.PromptVersion;
import dev.tollgate.core.prompt.Template;
import dev.tollgate.core.routing.Split;
import dev.tollgate.core.spi.PromptResolver;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A registry for merge tests. Prompt {@code support}: version 1 (system and a user message, model {@code chat-v1},
 * temperature 0.2, max 300 tokens, stop {@code END}), version 2 (system text and a system message, no model, no
 * parameters); labels {@code production} (1) and {@code beta} (2). Experiment {@code tone} splits
 * {@code support@production}, all of it to arm {@code b} (version 1 on model {@code other-chat}). Prompt
 * {@code plain}: one version, no labels.
 */
final class PromptFixture {
    static final PromptRegistry REGISTRY = registry();

    private PromptFixture() {}

    static PromptResolver resolver() {
        return (ref, user) -> REGISTRY.choose(ref, "app", user, new Random(7));
    }

    private static PromptRegistry registry() {
        var v1 = new PromptVersion(1, Template.parse("You answer for {{product}}."),
                List.of(new PromptMessage(Role.USER, Template.parse("Ticket: {{ticket}}"))), "chat-v1",
                new Sampling(0.2, null, 300, List.of("END"), null, null, null, null), "first");
        var v2 = new PromptVersion(2, Template.parse("v2 for {{product}}."),
                List.of(new PromptMessage(Role.SYSTEM, Template.parse("Be brief."))), null, Sampling.DEFAULTS, null);
        var support = new Prompt("support", null, new TreeMap<>(Map.of(1, v1, 2, v2)),
                Map.of("production", 1, "beta", 2));
        var plain = new Prompt("plain", null, new TreeMap<>(Map.of(1, new PromptVersion(1, null,
                List.of(new PromptMessage(Role.USER, Template.parse("hello"))), null, Sampling.DEFAULTS, null))),
                Map.of());
        var tone = new Experiment("tone", "support", "production", Split.Sticky.KEY, List.of(
                new Experiment.Arm("a", 1, null, 0), new Experiment.Arm("b", 1, "other-chat", 100)));
        return new PromptRegistry(Map.of("support", support, "plain", plain), Map.of("tone", tone));
    }
}
