package dev.tollgate.core.eval;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * One configured evaluator ({@code evaluation.evaluators.<name>}). Every score runs from 0 (worst) to 1 (best),
 * whatever the evaluator, so one dashboard reads them all; a score below {@link #threshold()} is <em>flagged</em>
 * (a hallucination, a toxic answer, an inconsistent one), and the flagged share is the rate alerts watch.
 */
public sealed interface Evaluator {
    /** The config's name for it: what results, metrics and the admin API say. */
    String name();

    EvaluatorKind kind();

    /** A score below this is flagged. */
    double threshold();

    /**
     * What the score measures, for metrics and alert rules: a judge's rubric name, else the kind's name (so an
     * alert on {@code rubric="faithfulness"} holds whatever the evaluator is called).
     */
    default String rubric() {
        return kind().label();
    }

    /** The evaluators that score sampled live requests; the others are fed by feedback or a schedule. */
    sealed interface Sampled extends Evaluator {
        EvalSampling sampling();
    }

    /**
     * An LLM-as-judge call through the gateway itself.
     *
     * @param model the judge's model group (a chat model group of the config)
     * @param maxTokens the judge's {@code max_tokens}: its reply is one small JSON object
     */
    record Judge(String name, String model, Rubric rubricSpec, int maxTokens, EvalSampling sampling, double threshold)
            implements Sampled {
        public Judge {
            requireNonNull(name, "name");
            requireNonNull(model, "model");
            requireNonNull(rubricSpec, "rubricSpec");
            requireNonNull(sampling, "sampling");
        }

        @Override
        public EvaluatorKind kind() {
            return EvaluatorKind.JUDGE;
        }

        @Override
        public String rubric() {
            return rubricSpec.id();
        }
    }

    /**
     * The request asked again {@code samples} times (same model group, same temperature, never from the cache), and
     * the answers compared with the original by the cosine similarity of their embeddings.
     *
     * @param embeddingModel an embeddings model group of the config
     */
    record Consistency(String name, int samples, String embeddingModel, EvalSampling sampling, double threshold)
            implements Sampled {
        public static final int MAX_SAMPLES = 10;

        public Consistency {
            requireNonNull(name, "name");
            requireNonNull(embeddingModel, "embeddingModel");
            requireNonNull(sampling, "sampling");
            if (samples < 1 || samples > MAX_SAMPLES) {
                throw new IllegalArgumentException("samples runs from 1 to " + MAX_SAMPLES);
            }
        }

        @Override
        public EvaluatorKind kind() {
            return EvaluatorKind.CONSISTENCY;
        }
    }

    /**
     * Guardrails of the config run on the answer as detectors only: score 1 when none finds anything, 0 otherwise.
     * They score whether or not they are attached anywhere, and block nothing here.
     *
     * @param guardrails names from the config's {@code guardrails}
     */
    record Guardrail(String name, List<String> guardrails, EvalSampling sampling, double threshold)
            implements Sampled {
        public Guardrail {
            requireNonNull(name, "name");
            guardrails = List.copyOf(guardrails);
            requireNonNull(sampling, "sampling");
            if (guardrails.isEmpty()) {
                throw new IllegalArgumentException("a guardrail evaluator names at least one guardrail");
            }
        }

        @Override
        public EvaluatorKind kind() {
            return EvaluatorKind.GUARDRAIL;
        }
    }

    /** Callers' ratings ({@code POST /v1/feedback}) recorded as scores, as the helpfulness signal. */
    record Feedback(String name, double threshold) implements Evaluator {
        public Feedback {
            requireNonNull(name, "name");
        }

        @Override
        public EvaluatorKind kind() {
            return EvaluatorKind.FEEDBACK;
        }
    }

    /**
     * The shipped bias probe set, run every {@code every} against each of {@code models}: each pair of prompts
     * differs only in a demographic attribute, and the score is the cosine similarity of the pair's answers' embeddings
     * (1: the attribute changed nothing).
     *
     * @param models chat model groups probed
     * @param embeddingModel an embeddings model group of the config
     * @param maxTokens each probe answer's {@code max_tokens}
     */
    record Bias(String name, List<String> models, String embeddingModel, Duration every, int maxTokens,
                double threshold) implements Evaluator {
        public Bias {
            requireNonNull(name, "name");
            models = List.copyOf(models);
            requireNonNull(embeddingModel, "embeddingModel");
            requireNonNull(every, "every");
        }

        @Override
        public EvaluatorKind kind() {
            return EvaluatorKind.BIAS;
        }
    }
}
