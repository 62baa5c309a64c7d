package dev.tollgate.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderTest {

    @Test
    void resolvesPathsAgainstTheBaseUrl() {
        assertThat(Fixtures.P.resolve("/chat/completions")).hasToString("http://127.0.0.1:1/v1/chat/completions");
        var slash = new Provider("p", "openai", URI.create("http://h/v1/"), null, "authorization", List.of(),
                Timeouts.DEFAULTS, null, null);
        assertThat(slash.resolve("/embeddings")).hasToString("http://h/v1/embeddings");
    }
}
