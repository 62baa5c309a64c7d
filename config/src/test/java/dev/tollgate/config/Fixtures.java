package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.runtime.MockEndpoints;
import dev.tollgate.core.runtime.MockProfile;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Loaders and documents shared by the tests: a fake environment and a mock-server stand-in that only records. */
final class Fixtures {
    /** A secret value no output may ever contain. */
    static final String CANARY = "sk-CANARY-123";
    /** Every type the config has rules for, as a server with all adapters injects them. */
    static final Set<String> TYPES = Set.of("openai", "azure-openai", "anthropic", "gemini", "bedrock", "mock");
    /** Every secret the tests reference holds the canary, so that a leak of any of them is caught. */
    static final Map<String, String> ENV = Map.of(
            "OPENAI_API_KEY", CANARY,
            "ORG_TOKEN", CANARY + "-org",
            "AZURE_OPENAI_API_KEY", CANARY + "-azure",
            "ANTHROPIC_API_KEY", CANARY + "-anthropic",
            "GEMINI_API_KEY", CANARY + "-gemini",
            "AWS_ACCESS_KEY_ID", CANARY + "-id",
            "AWS_SECRET_ACCESS_KEY", CANARY + "-secret",
            "AWS_SESSION_TOKEN", CANARY + "-session");

    /** The smallest valid file: one provider, one model. */
    static final String MINIMAL = """
            providers:
              openai:
                type: openai
                base_url: https://api.openai.com/v1
            models:
              gpt-4o-mini:
                deployments:
                  - provider: openai
            """;

    private Fixtures() {}

    /** A {@link MockEndpoints} that starts nothing: it records each call and answers a fixed address. */
    static final class RecordingMocks implements MockEndpoints {
        final List<String> started = new ArrayList<>();
        final List<MockProfile> profiles = new ArrayList<>();

        @Override
        public URI endpointFor(String providerId, MockProfile profile) {
            started.add(providerId);
            profiles.add(profile);
            return URI.create("http://127.0.0.1:40000/" + providerId + "/v1");
        }
    }

    static ConfigLoader loader() {
        return loader(new RecordingMocks());
    }

    static ConfigLoader loader(MockEndpoints mocks) {
        return new ConfigLoader(TYPES, ENV::get, mocks);
    }

    /** The problems of an invalid result as {@code file:line:column: path: message} lines. */
    static List<String> problems(LoadResult result) {
        assertThat(result).isInstanceOf(LoadResult.Invalid.class);
        return ((LoadResult.Invalid) result).problems().stream().map(ConfigProblem::toString).toList();
    }

    /** The snapshot of a result that must be valid, failing with its problems otherwise. */
    static LoadResult.Loaded loaded(LoadResult result) {
        if (result instanceof LoadResult.Invalid invalid) {
            throw new AssertionError("expected a valid config, got " + invalid.problems());
        }
        return (LoadResult.Loaded) result;
    }
}
