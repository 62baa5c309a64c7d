package dev.tollgate.server.eval;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.eval.EvalOutcome;
import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.core.eval.Evaluator;
import dev.tollgate.core.eval.GuardrailScore;
import dev.tollgate.core.eval.JudgeInput;
import dev.tollgate.core.eval.JudgeRequest;
import dev.tollgate.core.eval.Judgement;
import dev.tollgate.core.eval.Rubrics;
import dev.tollgate.core.eval.Similarity;
import dev.tollgate.core.eval.Transcript;
import dev.tollgate.core.guard.Guardrail;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.ResponseFormat;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.providers.openai.OpenAiDialect;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs one sampled evaluator on one request, with the config in force when it runs. Judge and consistency calls go
 * through the gateway ({@link LoopbackClient}); whatever they cost is kept with the result, also when a later call
 * fails. Blocking: evaluation workers only.
 */
final class Scorers {
    /** A content filter stopped the judge's answer: it declined to judge. */
    private static final String CONTENT_FILTER = "content_filter";
    /** The request field a provider without a JSON mode refuses. */
    private static final String RESPONSE_FORMAT = "response_format";
    private static final ResponseFormat VERDICT = new ResponseFormat.JsonSchema("verdict", null,
            new RawJson(Rubrics.VERDICT_SCHEMA), true);

    private final LoopbackClient client;
    private final Verdicts verdicts;

    Scorers(LoopbackClient client, Verdicts verdicts) {
        this.client = requireNonNull(client, "client");
        this.verdicts = requireNonNull(verdicts, "verdicts");
    }

    /** The result of {@code evaluator} on {@code request}. */
    EvaluationResult score(RequestFacts request, EvaluationDraft draft, Evaluator.Sampled evaluator,
                           RuntimeSnapshot snapshot) {
        int maxChars = snapshot.evaluation().maxChars();
        return switch (evaluator) {
            case Evaluator.Judge j -> judge(request, draft.input(), j, snapshot, maxChars);
            case Evaluator.Consistency c -> consistency(request, draft, c, maxChars);
            case Evaluator.Guardrail g -> guardrail(request, draft.input(), g, snapshot, maxChars);
        };
    }

    private EvaluationResult judge(RequestFacts request, JudgeInput input, Evaluator.Judge judge,
                                   RuntimeSnapshot snapshot, int maxChars) {
        var texts = new Verdicts.Texts(input.prompt(), input.answer());
        JudgeRequest asked;
        try {
            asked = Rubrics.render(judge.rubricSpec(), input, snapshot.prompts());
        } catch (RuntimeException e) {
            // A registry rubric a reload removed, or one that no longer renders: nothing was asked.
            return verdicts.unscored(request, judge, EvalOutcome.FAILED, "rubric: " + e.getMessage(), texts,
                    Money.ZERO, maxChars);
        }
        List<Message> messages = List.of(Message.text(Role.SYSTEM, asked.system()),
                Message.text(Role.USER, asked.user()));
        LoopbackClient.Reply reply;
        try {
            try {
                reply = client.chat(judge.model(), verdict(judge, messages, VERDICT),
                        LoopbackClient.callId(request.requestId(), 1), false);
            } catch (LoopbackClient.CallFailed e) {
                if (!e.invalid(RESPONSE_FORMAT)) {
                    throw e;
                }
                // A provider without a JSON mode (Anthropic, Bedrock): the rubric states the shape too, so ask once
                // more without the schema; the verdict is read as strictly either way.
                reply = client.chat(judge.model(), verdict(judge, messages, null),
                        LoopbackClient.callId(request.requestId(), 2), false);
            }
        } catch (LoopbackClient.CallFailed e) {
            return verdicts.unscored(request, judge, EvalOutcome.FAILED, e.detail(), texts, Money.ZERO, maxChars);
        }
        if (CONTENT_FILTER.equals(reply.finishReason())) {
            return verdicts.unscored(request, judge, EvalOutcome.REFUSED, CONTENT_FILTER, texts, reply.cost(),
                    maxChars);
        }
        return switch (Judgement.read(reply.text())) {
            case Judgement.Scored s -> verdicts.scored(request, judge, s.score(), s.reason(), texts, reply.cost(),
                    maxChars);
            case Judgement.Unparseable u -> verdicts.unscored(request, judge, EvalOutcome.UNPARSEABLE, u.detail(),
                    texts, reply.cost(), maxChars);
            case Judgement.Refused r -> verdicts.unscored(request, judge, EvalOutcome.REFUSED, r.detail(), texts,
                    reply.cost(), maxChars);
        };
    }

    /** The judge's request: temperature 0, its {@code max_tokens}, the verdict schema when {@code format} is set. */
    private static ChatRequest verdict(Evaluator.Judge judge, List<Message> messages, ResponseFormat format) {
        return new ChatRequest(judge.model(), messages, new Sampling(0.0, null, judge.maxTokens(), List.of(), null,
                null, null, null), List.of(), null, format, false, false, null, Map.of(), OpenAiDialect.ID);
    }

    /**
     * The request asked again {@code samples} times (never from the cache), then the original answer and the new
     * ones embedded in one call; the score is the original's mean similarity to the others.
     */
    private EvaluationResult consistency(RequestFacts request, EvaluationDraft draft, Evaluator.Consistency c,
                                         int maxChars) {
        JudgeInput input = draft.input();
        var texts = new Verdicts.Texts(input.prompt(), input.answer());
        Money cost = Money.ZERO;
        List<String> answers = new ArrayList<>(c.samples() + 1);
        answers.add(input.answer());
        try {
            for (int i = 1; i <= c.samples(); i++) {
                LoopbackClient.Reply reply = client.chat(request.model(), draft.request(),
                        LoopbackClient.callId(request.requestId(), i), true);
                cost = cost.plus(reply.cost());
                answers.add(Transcript.cut(reply.text(), maxChars)); // compared as much as the original was kept
            }
            LoopbackClient.Vectors vectors = client.embeddings(c.embeddingModel(), answers,
                    LoopbackClient.callId(request.requestId(), c.samples() + 1));
            cost = cost.plus(vectors.cost());
            double score = Similarity.meanAgainst(vectors.vectors().getFirst(),
                    vectors.vectors().subList(1, vectors.vectors().size()));
            return verdicts.scored(request, c, score, String.format(Locale.ROOT,
                    "mean cosine similarity %.3f of the answer to %d new answers", score, c.samples()), texts, cost,
                    maxChars);
        } catch (LoopbackClient.CallFailed e) {
            return verdicts.unscored(request, c, EvalOutcome.FAILED, e.detail(), texts, cost, maxChars);
        }
    }

    /** The named guardrails as detectors on the answer: no model call, nothing blocked, nothing charged. */
    private EvaluationResult guardrail(RequestFacts request, JudgeInput input, Evaluator.Guardrail g,
                                       RuntimeSnapshot snapshot, int maxChars) {
        var texts = new Verdicts.Texts(input.prompt(), input.answer());
        List<Guardrail> named = new ArrayList<>(g.guardrails().size());
        for (String name : g.guardrails()) {
            // The config checks every name against the same snapshot's guardrails.
            named.add(requireNonNull(snapshot.guardrails().guardrails().get(name), name));
        }
        GuardrailScore score = GuardrailScore.of(named, input.answer());
        return verdicts.scored(request, g, score.score(), score.rationale(), texts, Money.ZERO, maxChars);
    }
}
