package dev.tollgate.providers.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.spi.UpstreamReply;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsageScanTest {
    private final OpenAiAdapter adapter = new OpenAiAdapter();

    private Usage usage(String body) {
        return adapter.usage(new UpstreamReply(200, Map.of(), body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void readsChatUsageWithDetailsWhereverItStands() {
        assertThat(usage("{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":4,\"total_tokens\":14,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":6},\"completion_tokens_details\":{\"reasoning_tokens\":2}},"
                + "\"id\":\"x\",\"choices\":[{\"message\":{\"content\":\"{\\\"usage\\\":1}\"}}]}"))
                .isEqualTo(new Usage(10, 4, 6, 0, 2, true));
    }

    @Test
    void readsEmbeddingsUsage() {
        assertThat(usage("{\"object\":\"list\",\"data\":[{\"embedding\":[0.1,0.2]}],\"model\":\"e\","
                + "\"usage\":{\"prompt_tokens\":5,\"total_tokens\":5}}")).isEqualTo(Usage.reported(5, 0));
    }

    @Test
    void keepsAnExplicitZeroAndKnowsWhenThereIsNone() {
        assertThat(usage("{\"usage\":{\"prompt_tokens\":0,\"completion_tokens\":0}}")).isEqualTo(Usage.reported(0, 0));
        assertThat(usage("{\"id\":\"x\",\"usage\":null}")).isEqualTo(Usage.UNKNOWN);
        assertThat(usage("{\"nested\":{\"usage\":{\"prompt_tokens\":3}}}")).isEqualTo(Usage.UNKNOWN);
    }

    @Test
    void refusesBrokenReplies() {
        for (String body : new String[] {"", "[]", "{\"usage\":{\"prompt_tokens\":1}", "{} {}", "{\"a\":tru}"}) {
            assertThatThrownBy(() -> usage(body)).as(body).isInstanceOfSatisfying(GatewayException.class,
                    e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.PROVIDER_ERROR));
        }
    }
}
