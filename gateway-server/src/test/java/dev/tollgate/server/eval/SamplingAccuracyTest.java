package dev.tollgate.server.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.tollgate.core.eval.EvalSampling;
import dev.tollgate.core.eval.EvaluationSettings;
import dev.tollgate.core.eval.Evaluator;
import dev.tollgate.server.pipeline.RequestId;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The share of requests each evaluator draws, over the gateway's own spend ids, is its configured rate. */
class SamplingAccuracyTest {
    private static final int REQUESTS = 200_000;

    @Test
    void eachEvaluatorDrawsItsRateWithinAFewTenthsOfAPoint() {
        double[] rates = {0.01, 0.05, 0.25, 0.5};
        Map<String, Evaluator> evaluators = new LinkedHashMap<>();
        for (int i = 0; i < rates.length; i++) {
            evaluators.put("e" + i, new Evaluator.Guardrail("e" + i, List.of("g"),
                    new EvalSampling(rates[i], Set.of(), Set.of(), Set.of()), 0.5));
        }
        var settings = new EvaluationSettings("quality", 256, 2, 8_000, Duration.ofDays(1), evaluators);
        int[] drawn = new int[rates.length];
        int both = 0;
        for (int n = 0; n < REQUESTS; n++) {
            List<Evaluator.Sampled> chosen = settings.sampledFor(RequestId.generate(), "gpt-x", null, "chat");
            for (Evaluator.Sampled e : chosen) {
                drawn[Integer.parseInt(e.name().substring(1))]++;
            }
            if (chosen.stream().filter(e -> e.name().equals("e2") || e.name().equals("e3")).count() == 2) {
                both++;
            }
        }
        for (int i = 0; i < rates.length; i++) {
            assertThat((double) drawn[i] / REQUESTS).as("rate %s", rates[i]).isCloseTo(rates[i],
                    offset(0.005));
        }
        // Each evaluator draws its own sample: two evaluators agree about as often as independent draws would.
        assertThat((double) both / REQUESTS).isCloseTo(0.25 * 0.5, offset(0.005));
    }

    @Test
    void aScopeLimitsTheDrawAndNothingIsAllocatedWhenNothingIsDrawn() {
        var scoped = new Evaluator.Guardrail("scoped", List.of("g"),
                new EvalSampling(1, Set.of("gpt-x"), Set.of("app"), Set.of("messages")), 0.5);
        var settings = new EvaluationSettings("quality", 256, 2, 8_000, Duration.ofDays(1),
                Map.of("scoped", scoped));
        assertThat(settings.sampledFor("s1", "gpt-x", "app", "messages")).containsExactly(scoped);
        assertThat(settings.sampledFor("s1", "gpt-y", "app", "messages")).isSameAs(List.of());
        assertThat(settings.sampledFor("s1", "gpt-x", null, "messages")).isSameAs(List.of());
        assertThat(settings.sampledFor("s1", "gpt-x", "app", "chat")).isSameAs(List.of());
    }
}
