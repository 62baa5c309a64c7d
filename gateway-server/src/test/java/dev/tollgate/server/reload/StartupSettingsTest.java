package dev.tollgate.server.reload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.LoadResult;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.providers.ProviderRegistry;
import dev.tollgate.server.Tollgate;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a reload can put in force, and what waits for a restart. */
class StartupSettingsTest {
    private static final String CONFIG = """
            server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
            storage: { ledger: "sqlite:ledger.db" }
            providers:
              up: { type: openai, base_url: "http://127.0.0.1:9/v1" }
            models:
              chat: { deployments: [ { provider: up } ] }
            teams:
              quality: {}
            evaluation:
              team: quality
              queue_size: 256
              concurrency: 2
              evaluators:
                judged: { type: judge, model: chat, rubric: faithfulness, sample_rate: 0.5 }
            """;

    private static RuntimeSnapshot load(String text) {
        var loader = new ConfigLoader(Tollgate.providerTypes(ProviderRegistry.standard()), Map.<String, String>of()::get,
                (id, profile) -> {
                    throw new IllegalStateException("no mock here");
                });
        LoadResult result = loader.load(Path.of("tollgate.yaml").toAbsolutePath(), text);
        assertThat(result).isInstanceOf(LoadResult.Loaded.class);
        return ((LoadResult.Loaded) result).snapshot();
    }

    /** The evaluation queue and its workers are made at start: a reload changes the evaluators, not them. */
    @Test
    void theEvaluationQueueAndWorkersWaitForARestart() {
        var startup = new StartupSettings(load(CONFIG));
        RuntimeSnapshot next = load(CONFIG.replace("queue_size: 256", "queue_size: 16")
                .replace("concurrency: 2", "concurrency: 8").replace("sample_rate: 0.5", "sample_rate: 0.25"));

        assertThat(startup.pending(next)).containsExactly("evaluation.queue_size", "evaluation.concurrency");
        RuntimeSnapshot inForce = startup.inForce(next);
        assertThat(inForce.evaluation().queueSize()).isEqualTo(256);
        assertThat(inForce.evaluation().concurrency()).isEqualTo(2);
        assertThat(inForce.evaluation().evaluators()).isEqualTo(next.evaluation().evaluators());
        assertThat(startup.pending(load(CONFIG))).isEmpty();
    }
}
