package dev.tollgate.server.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretScrubTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-proj-CANARYabcdefghij0123456789";

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aBodyWithoutCredentialsIsTheSameArray() {
        byte[] body = bytes("{ \"error\" : {\"message\":\"Rate limit reached\", \"code\": 429 } }");
        assertThat(SecretScrub.body(body)).isSameAs(body);
        byte[] escaped = bytes("{\"error\":{\"message\":\"a \\\"quoted\\\" \\u00e9 word\"}}");
        assertThat(SecretScrub.body(escaped)).isSameAs(escaped);
        byte[] empty = new byte[0];
        assertThat(SecretScrub.body(empty)).isSameAs(empty);
    }

    @Test
    void scrubsStringValuesAndKeepsTheJsonShape() throws Exception {
        byte[] body = bytes("{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + ".\",\"type\":\"x\","
                + "\"param\":null,\"code\":401,\"details\":[\"see https://u:p4ss@h.example/x?key=AIzaSyA-1234567890"
                + "abcdefghijklmnopqrstu\",{\"jwt\":\"Bearer abcdefghijklmnop0123\"}]}}");
        JsonNode out = JSON.readTree(SecretScrub.body(body));
        assertThat(out.at("/error/message").asText()).isEqualTo("Incorrect API key provided: [API_KEY].");
        assertThat(out.at("/error/details/0").asText())
                .isEqualTo("see https://[URL_CREDENTIAL]@h.example/x?key=[GOOGLE_API_KEY]");
        assertThat(out.at("/error/details/1/jwt").asText()).isEqualTo("Bearer [BEARER_TOKEN]");
        assertThat(out.at("/error/code").asInt()).isEqualTo(401);
        assertThat(out.at("/error/param").isNull()).isTrue();
    }

    @Test
    void findsCredentialsHiddenBehindJsonEscapes() throws Exception {
        // "\/" and "\u0073" would hide the URL and the key from a scan of the raw text.
        byte[] body = bytes("{\"message\":\"GET https:\\/\\/api.example\\/v1?key=zz-secret-1 failed for \\u0073k-"
                + "abcdefghijklmnopqrstuvwx\"}");
        String scrubbed = JSON.readTree(SecretScrub.body(body)).get("message").asText();
        assertThat(scrubbed).isEqualTo("GET https://api.example/v1?key=[URL_CREDENTIAL] failed for [API_KEY]");
    }

    @Test
    void scrubsABodyThatIsNotJsonAsText() {
        byte[] body = bytes("<html>proxy error for http://admin:hunter2@proxy.internal/ key " + KEY + "</html>");
        assertThat(new String(SecretScrub.body(body), StandardCharsets.UTF_8))
                .isEqualTo("<html>proxy error for http://[URL_CREDENTIAL]@proxy.internal/ key [API_KEY]</html>");
        byte[] plain = bytes("upstream connect error");
        assertThat(SecretScrub.body(plain)).isSameAs(plain);
    }

    @Test
    void scrubsTheGatewaysErrorMessage() {
        GatewayError error = GatewayError.of(ErrorKind.PROVIDER_BAD_REQUEST, "The upstream provider returned HTTP 400: "
                + "bad key " + KEY).withStatus(400);
        GatewayError scrubbed = SecretScrub.error(error);
        assertThat(scrubbed.message()).isEqualTo("The upstream provider returned HTTP 400: bad key [API_KEY]");
        assertThat(scrubbed.kind()).isEqualTo(error.kind());
        assertThat(scrubbed.httpStatus()).isEqualTo(400);
        GatewayError clean = GatewayError.of(ErrorKind.PROVIDER_ERROR, "nothing here");
        assertThat(SecretScrub.error(clean)).isSameAs(clean);
    }
}
