package dev.tollgate.config;

import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.access.VirtualKey;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.core.routing.RoutingTable;
import dev.tollgate.core.routing.Tier;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a key described in the admin API's JSON body with the same rules and messages as a key in the config file
 * (JSON is YAML, so one reader serves both and the two never drift). Called off the request path.
 */
public final class KeyDrafts {
    /** How problems name the body. */
    static final String SOURCE = "request body";

    private KeyDrafts() {}

    /** A key read from a body: valid, or every problem with it. */
    public sealed interface Draft {
        record Valid(VirtualKey key) implements Draft {}

        /** @param problems each as {@code path: message}, without line numbers (a body is one line, often) */
        record Invalid(List<String> problems) implements Draft {}
    }

    /**
     * The key {@code body} describes, to be stored with {@code hash} (the gateway made the key) and
     * {@code created}, checked against {@code snapshot}'s teams and models.
     */
    public static Draft read(String body, KeyHash hash, Instant created, RuntimeSnapshot snapshot) {
        if (!body.stripLeading().startsWith("{")) {
            // The reader takes YAML too; an API that says JSON should not quietly accept anything else.
            return new Draft.Invalid(List.of("the body must be a JSON object describing the key"));
        }
        var problems = new Diagnostics(SOURCE);
        YamlNode root = YamlTreeReader.read(body, problems);
        if (root != null && !problems.hasErrors()) {
            KeyConfig key = KeysSection.draft(root, hash, problems);
            ConfigValidator.checkKey(key, snapshot.access().teams().keySet(), requestableNames(snapshot), problems);
            if (!problems.hasErrors()) {
                VirtualKey compiled = key.compile();
                return new Draft.Valid(new VirtualKey(compiled.name(), hash, compiled.team(), created,
                        compiled.expires(), compiled.disabled(), compiled.models(), compiled.endpoints(),
                        compiled.metadata(), compiled.limits(), compiled.budget(), compiled.perUser(),
                        VirtualKey.Source.ADMIN_API));
            }
        }
        return new Draft.Invalid(problems.errors().stream()
                .map(p -> (p.path() == null || p.path().isEmpty() ? "" : p.path() + ": ")
                        + p.message().replace("invalid YAML", "invalid JSON"))
                .toList());
    }

    /** The names a key may be allowed, as {@link RoutingValidator#requestableNames} gives them for a file. */
    private static Set<String> requestableNames(RuntimeSnapshot snapshot) {
        RoutingTable routing = snapshot.routing();
        var names = new LinkedHashSet<>(snapshot.models().keySet());
        routing.tiers().keySet().forEach(tier -> names.add(Tier.PREFIX + tier));
        names.addAll(routing.autoTier().aliases());
        names.addAll(routing.splits().keySet());
        return names;
    }
}
