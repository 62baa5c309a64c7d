package dev.tollgate.config;

import dev.tollgate.core.eval.EvalSampling;
import dev.tollgate.core.eval.EvaluationSettings;
import dev.tollgate.core.eval.Evaluator;
import dev.tollgate.core.eval.EvaluatorKind;
import dev.tollgate.core.eval.Rubric;
import dev.tollgate.core.guard.Guardrail;
import dev.tollgate.core.guard.GuardrailPolicy;
import dev.tollgate.core.guard.TopicCheck;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.prompt.PromptRef;
import dev.tollgate.core.spi.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Binds the top-level {@code evaluation} section (evaluators scoring a sample of completed requests in the
 * background, and the bounds of that work) into {@link EvaluationSettings}. The guardrails an evaluator runs are
 * resolved here, as the guardrails section's own attachments are; whether its team, model groups, keys and rubric
 * prompts exist is left to {@link EvaluationValidator}.
 */
final class EvaluationSection {
    static final Set<String> KEYS = Set.of("team", "queue_size", "concurrency", "max_chars", "retention",
            "evaluators");
    static final Set<String> EVALUATOR_KEYS = Set.of("type", "threshold", "sample_rate", "models", "keys", "routes",
            "model", "rubric", "max_tokens", "samples", "embedding_model", "guardrails", "every");
    /** The keys of a rubric written as a registry prompt: {@code rubric: {prompt: "id@label"}}. */
    static final Set<String> RUBRIC_KEYS = Set.of("prompt");
    /** Evaluator names: metric labels and result rows, so lower case and no spaces, colons or slashes. */
    static final String NAME_PATTERN = "^[a-z0-9][a-z0-9_.-]*$";
    static final int MAX_NAME_LENGTH = 64;
    static final List<String> TYPES = Arrays.stream(EvaluatorKind.values()).map(EvaluatorKind::label).toList();
    static final List<String> RUBRICS = Arrays.stream(Rubric.Shipped.values()).map(Rubric.Shipped::id).toList();
    /** The routes a scope may name: the chat routes, the only ones sampled. */
    static final List<String> ROUTES = List.of("chat", "messages");

    static final int MAX_QUEUE_SIZE = 100_000;
    static final int MAX_CONCURRENCY = 64;
    static final int MIN_MAX_CHARS = 200;
    static final int MAX_MAX_CHARS = 200_000;
    static final Duration MIN_RETENTION = Duration.ofHours(1);
    static final Duration MAX_RETENTION = Duration.ofDays(3_650);
    static final int MIN_MAX_TOKENS = 16;
    static final int MAX_MAX_TOKENS = 4_096;
    static final int JUDGE_MAX_TOKENS = 300;
    static final int BIAS_MAX_TOKENS = 200;
    static final int DEFAULT_SAMPLES = 2;
    static final Duration MIN_EVERY = Duration.ofMinutes(1);
    static final Duration MAX_EVERY = Duration.ofDays(30);
    static final Duration DEFAULT_EVERY = Duration.ofHours(24);
    static final double DEFAULT_THRESHOLD = 0.5;
    /** The default of the evaluators that score a similarity, where 0.8 already reads as a different answer. */
    static final double SIMILARITY_THRESHOLD = 0.8;

    /** The keys each type takes, beyond type and threshold. */
    private static final Map<EvaluatorKind, Set<String>> OPTIONS = Map.of(
            EvaluatorKind.JUDGE, Set.of("model", "rubric", "max_tokens", "sample_rate", "models", "keys", "routes"),
            EvaluatorKind.CONSISTENCY, Set.of("samples", "embedding_model", "sample_rate", "models", "keys",
                    "routes"),
            EvaluatorKind.GUARDRAIL, Set.of("guardrails", "sample_rate", "models", "keys", "routes"),
            EvaluatorKind.FEEDBACK, Set.of(),
            EvaluatorKind.BIAS, Set.of("models", "embedding_model", "every", "max_tokens"));
    /** The kinds whose calls go through the gateway and are charged to the team. */
    private static final Set<EvaluatorKind> CALLING = Set.of(EvaluatorKind.JUDGE, EvaluatorKind.CONSISTENCY,
            EvaluatorKind.BIAS);
    private static final Pattern NAME = Pattern.compile(NAME_PATTERN);

    private EvaluationSection() {}

    /**
     * The section; {@link EvaluationSettings#OFF}'s values where it is absent.
     *
     * @param guardrails the compiled guardrails, to tell a topics one apart
     * @param definedGuardrails the names the guardrails section defines, those with problems included (references
     *     to them are not reported again)
     * @param ledger whether {@code storage.ledger} is set: results are kept in its database
     */
    static EvaluationConfig bind(MappingReader r, GuardrailPolicy guardrails, Set<String> definedGuardrails,
            boolean ledger, Diagnostics problems) {
        EvaluationSettings d = EvaluationSettings.OFF;
        String team = r.string("team");
        int queueSize = r.integer("queue_size", d.queueSize(), 1, MAX_QUEUE_SIZE);
        int concurrency = r.integer("concurrency", d.concurrency(), 1, MAX_CONCURRENCY);
        int maxChars = r.integer("max_chars", d.maxChars(), MIN_MAX_CHARS, MAX_MAX_CHARS);
        Duration retention = r.duration("retention", d.retention(), MIN_RETENTION, MAX_RETENTION);
        var uses = new Uses(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        var evaluators = new LinkedHashMap<String, Evaluator>();
        boolean calling = false;
        String feedback = null;
        List<YamlNode.Entry> entries = r.entries("evaluators");
        for (YamlNode.Entry entry : entries) {
            String path = Origin.keyPath(r.path("evaluators"), entry.key());
            Origin at = entry.origin(path);
            checkName(at, entry.key(), problems);
            MappingReader e = MappingReader.of(entry.value(), path, EVALUATOR_KEYS, problems);
            String type = e.choice("type", TYPES);
            if (type == null) {
                continue;
            }
            EvaluatorKind kind = EvaluatorKind.valueOf(type.toUpperCase(Locale.ROOT));
            for (String option : EVALUATOR_KEYS) {
                if (!option.equals("type") && !option.equals("threshold") && !OPTIONS.get(kind).contains(option)) {
                    e.forbid(option, "for type " + type + " (it takes " + String.join(", ", options(kind)) + ")");
                }
            }
            calling |= CALLING.contains(kind);
            if (kind == EvaluatorKind.FEEDBACK) {
                if (feedback != null) {
                    problems.error(at, "evaluator '" + feedback + "' already records feedback; there is at most one "
                            + "feedback evaluator");
                }
                feedback = feedback == null ? entry.key() : feedback;
            }
            Evaluator evaluator = switch (kind) {
                case JUDGE -> judge(entry.key(), e, uses, problems);
                case CONSISTENCY -> consistency(entry.key(), e, uses, problems);
                case GUARDRAIL -> guardrail(entry.key(), e, guardrails, definedGuardrails, uses, problems);
                case FEEDBACK -> new Evaluator.Feedback(entry.key(), threshold(e, DEFAULT_THRESHOLD));
                case BIAS -> bias(entry.key(), e, uses, problems);
            };
            if (evaluator != null) {
                evaluators.put(entry.key(), evaluator);
            }
        }
        if (calling && r.readable() && !r.has("team")) {
            problems.error(r.origin("team"), "required when a judge, consistency or bias evaluator is configured: "
                    + "their model calls are charged to this team");
        }
        if (!entries.isEmpty() && !ledger) {
            problems.error(r.origin("evaluators"), "needs storage.ledger: evaluation results are kept in the ledger "
                    + "database");
        }
        return new EvaluationConfig(new EvaluationSettings(team, queueSize, concurrency, maxChars, retention,
                evaluators), r.origin("team"), uses.models(), uses.keys(), uses.rubrics());
    }

    /** What the evaluators name in other sections, gathered for {@link EvaluationValidator}. */
    private record Uses(List<EvaluationConfig.ModelUse> models, List<EvaluationConfig.KeyUse> keys,
                        List<EvaluationConfig.RubricUse> rubrics) {
        void model(String name, Origin at, Operation mode, String user) {
            if (name != null) {
                models.add(new EvaluationConfig.ModelUse(name, at, mode, user));
            }
        }
    }

    /** The keys {@code kind} takes besides type, in name order for messages. */
    private static Set<String> options(EvaluatorKind kind) {
        var options = new TreeSet<>(OPTIONS.get(kind));
        options.add("threshold");
        return options;
    }

    private static void checkName(Origin at, String name, Diagnostics problems) {
        if (name.length() > MAX_NAME_LENGTH) {
            problems.error(at, "an evaluator name is at most " + MAX_NAME_LENGTH + " characters");
        } else if (!NAME.matcher(name).matches()) {
            problems.error(at, "evaluator name '" + name + "' must start with a lower-case letter or digit and use "
                    + "only lower-case letters, digits, '.', '_' and '-'");
        }
    }

    private static Evaluator judge(String name, MappingReader e, Uses uses, Diagnostics problems) {
        String model = e.requiredString("model");
        uses.model(model, e.origin("model"), Operation.CHAT, "a judge");
        Rubric rubric = rubric(e, uses, problems);
        int maxTokens = e.integer("max_tokens", JUDGE_MAX_TOKENS, MIN_MAX_TOKENS, MAX_MAX_TOKENS);
        EvalSampling sampling = sampling(e, uses, problems);
        double threshold = threshold(e, DEFAULT_THRESHOLD);
        return model == null || rubric == null ? null
                : new Evaluator.Judge(name, model, rubric, maxTokens, sampling, threshold);
    }

    /** A shipped rubric's name, or {@code {prompt: <reference>}}; null (reported) when missing or unusable. */
    private static Rubric rubric(MappingReader e, Uses uses, Diagnostics problems) {
        e.requirePresent("rubric");
        YamlNode node = e.value("rubric");
        if (node == null) {
            return null;
        }
        if (node instanceof YamlNode.Mapping) {
            MappingReader m = MappingReader.of(node, e.path("rubric"), RUBRIC_KEYS, problems);
            String text = m.requiredString("prompt");
            PromptRef ref = text == null ? null : promptRef(text, m.origin("prompt"), problems);
            if (ref == null) {
                return null;
            }
            uses.rubrics().add(new EvaluationConfig.RubricUse(ref, m.origin("prompt")));
            return new Rubric.Registry(ref);
        }
        String id = e.string("rubric");
        if (id == null) {
            return null;
        }
        Rubric.Shipped shipped = Rubric.Shipped.of(id);
        if (shipped == null) {
            problems.error(e.origin("rubric"), "unknown rubric '" + id + "'" + Suggestion.didYouMean(id, RUBRICS)
                    + "; shipped rubrics: " + String.join(", ", RUBRICS) + ", or {prompt: <id>} for a registry "
                    + "prompt");
        }
        return shipped;
    }

    /** A prompt reference as requests write it ({@code id}, {@code id@label}, {@code id@3}); null (reported). */
    private static PromptRef promptRef(String text, Origin at, Diagnostics problems) {
        try {
            return PromptRef.parse(text, "rubric");
        } catch (GatewayException ex) {
            problems.error(at, "expected a prompt reference such as my-rubric, my-rubric@production or "
                    + "my-rubric@3, got '" + text + "'");
            return null;
        }
    }

    private static Evaluator consistency(String name, MappingReader e, Uses uses, Diagnostics problems) {
        int samples = e.integer("samples", DEFAULT_SAMPLES, 1, Evaluator.Consistency.MAX_SAMPLES);
        String embeddings = embeddingModel(e, "a consistency evaluator's embedding_model", uses);
        EvalSampling sampling = sampling(e, uses, problems);
        double threshold = threshold(e, SIMILARITY_THRESHOLD);
        return embeddings == null ? null : new Evaluator.Consistency(name, samples, embeddings, sampling, threshold);
    }

    private static Evaluator guardrail(String name, MappingReader e, GuardrailPolicy guardrails,
            Set<String> defined, Uses uses, Diagnostics problems) {
        e.requirePresent("guardrails");
        var names = new ArrayList<String>();
        boolean ok = true;
        for (var ref : e.names("guardrails", "guardrail", "list at least one guardrail").entrySet()) {
            String guardrail = ref.getKey();
            Guardrail g = guardrails.guardrails().get(guardrail);
            if (!defined.contains(guardrail)) {
                problems.error(ref.getValue(), GuardrailsSection.unknown(guardrail, defined));
                ok = false;
            } else if (g != null && g.check() instanceof TopicCheck) {
                problems.error(ref.getValue(), "guardrail '" + guardrail + "' is a topics guardrail, which reads "
                        + "requests only: it cannot score answers");
                ok = false;
            }
            names.add(guardrail);
        }
        EvalSampling sampling = sampling(e, uses, problems);
        double threshold = threshold(e, DEFAULT_THRESHOLD);
        return ok && !names.isEmpty() ? new Evaluator.Guardrail(name, names, sampling, threshold) : null;
    }

    private static Evaluator bias(String name, MappingReader e, Uses uses, Diagnostics problems) {
        e.requirePresent("models");
        Map<String, Origin> models = e.names("models", "model", "list at least one chat model group to probe");
        models.forEach((model, at) -> uses.model(model, at, Operation.CHAT, "a bias evaluator"));
        String embeddings = embeddingModel(e, "a bias evaluator's embedding_model", uses);
        Duration every = e.duration("every", DEFAULT_EVERY, MIN_EVERY, MAX_EVERY);
        int maxTokens = e.integer("max_tokens", BIAS_MAX_TOKENS, MIN_MAX_TOKENS, MAX_MAX_TOKENS);
        double threshold = threshold(e, SIMILARITY_THRESHOLD);
        return models.isEmpty() || embeddings == null ? null
                : new Evaluator.Bias(name, List.copyOf(models.keySet()), embeddings, every, maxTokens, threshold);
    }

    private static String embeddingModel(MappingReader e, String user, Uses uses) {
        String model = e.requiredString("embedding_model");
        uses.model(model, e.origin("embedding_model"), Operation.EMBEDDINGS, user);
        return model;
    }

    /** The required rate and the optional scope of an evaluator that scores live requests. */
    private static EvalSampling sampling(MappingReader e, Uses uses, Diagnostics problems) {
        e.requirePresent("sample_rate");
        // An unusable rate is already reported; 1 keeps it from being reported as 0 too.
        double rate = e.number("sample_rate", 1, 0, 1);
        if (rate == 0) {
            problems.error(e.origin("sample_rate"), "must be more than 0; remove the evaluator to turn it off");
        }
        Map<String, Origin> models = e.names("models", "model", "list at least one model group, or remove models "
                + "for all");
        models.forEach((model, at) -> uses.model(model, at, Operation.CHAT, "an evaluator's scope"));
        Map<String, Origin> keys = e.names("keys", "key", "list at least one key, or remove keys for all");
        keys.forEach((key, at) -> uses.keys().add(new EvaluationConfig.KeyUse(key, at)));
        Map<String, Origin> routes = e.names("routes", "route", "list at least one route, or remove routes for all");
        routes.forEach((route, at) -> {
            if (!ROUTES.contains(route)) {
                problems.error(at, "unknown route '" + route + "'" + Suggestion.didYouMean(route, ROUTES)
                        + "; evaluators sample " + String.join(" and ", ROUTES));
            }
        });
        return new EvalSampling(rate, models.keySet(), keys.keySet(), routes.keySet());
    }

    private static double threshold(MappingReader e, double fallback) {
        return e.number("threshold", fallback, 0, 1);
    }
}
