package dev.tollgate.server.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.routing.Timeouts;
import dev.tollgate.core.runtime.Secret;
import dev.tollgate.core.spi.Header;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretScrubTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-proj-CANARYabcdefghij0123456789";
    /** Shaped like an Azure key: nothing a pattern could recognise. */
    private static final String AZURE_KEY = "0f3c9a7be21d4c6f8a5b3e9d7c1f2a40";
    private static final String HEADER_TOKEN = "gw-token-7Hq2Lx9PzR4tVw";
    private static final SecretScrub SCRUB = new SecretScrub(new Provider("azure", "azure",
            URI.create("https://x.openai.azure.com/openai"), new Secret("${env:AZURE_KEY}", AZURE_KEY), "api-key",
            List.of(new Header("x-gateway-token", HEADER_TOKEN), new Header("x-org", "org-1")), Timeouts.DEFAULTS,
            null, null));

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aBodyWithoutCredentialsIsTheSameArray() {
        byte[] body = bytes("{ \"error\" : {\"message\":\"Rate limit reached\", \"code\": 429 } }");
        assertThat(SCRUB.body(body)).isSameAs(body);
        byte[] escaped = bytes("{\"error\":{\"message\":\"a \\\"quoted\\\" \\u00e9 word\"}}");
        assertThat(SCRUB.body(escaped)).isSameAs(escaped);
        byte[] empty = new byte[0];
        assertThat(SCRUB.body(empty)).isSameAs(empty);
    }

    @Test
    void scrubsStringValuesAndKeepsTheJsonShape() throws Exception {
        byte[] body = bytes("{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + ".\",\"type\":\"x\","
                + "\"param\":null,\"code\":401,\"details\":[\"see https://u:p4ss@h.example/x?key=AIzaSyA-1234567890"
                + "abcdefghijklmnopqrstu\",{\"jwt\":\"Bearer abcdefghijklmnop0123\"}]}}");
        JsonNode out = JSON.readTree(SCRUB.body(body));
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
        String scrubbed = JSON.readTree(SCRUB.body(body)).get("message").asText();
        assertThat(scrubbed).isEqualTo("GET https://api.example/v1?key=[URL_CREDENTIAL] failed for [API_KEY]");
    }

    @Test
    void scrubsABodyThatIsNotJsonAsText() {
        byte[] body = bytes("<html>proxy error for http://admin:hunter2@proxy.internal/ key " + KEY + "</html>");
        assertThat(new String(SCRUB.body(body), StandardCharsets.UTF_8))
                .isEqualTo("<html>proxy error for http://[URL_CREDENTIAL]@proxy.internal/ key [API_KEY]</html>");
        byte[] plain = bytes("upstream connect error");
        assertThat(SCRUB.body(plain)).isSameAs(plain);
    }

    @Test
    void scrubsTheGatewaysErrorMessage() {
        GatewayError error = GatewayError.of(ErrorKind.PROVIDER_BAD_REQUEST, "The upstream provider returned HTTP 400: "
                + "bad key " + KEY).withStatus(400);
        GatewayError scrubbed = SCRUB.error(error);
        assertThat(scrubbed.message()).isEqualTo("The upstream provider returned HTTP 400: bad key [API_KEY]");
        assertThat(scrubbed.kind()).isEqualTo(error.kind());
        assertThat(scrubbed.httpStatus()).isEqualTo(400);
        GatewayError clean = GatewayError.of(ErrorKind.PROVIDER_ERROR, "nothing here");
        assertThat(SCRUB.error(clean)).isSameAs(clean);
    }

    @Test
    void scrubsTheProvidersOwnCredentialsWhateverTheirShape() throws Exception {
        byte[] body = bytes("{\"error\":{\"message\":\"Access denied for key " + AZURE_KEY + " (token "
                + HEADER_TOKEN + ")\",\"code\":\"401\"}}");
        assertThat(JSON.readTree(SCRUB.body(body)).at("/error/message").asText())
                .isEqualTo("Access denied for key [API_KEY] (token [API_KEY])");
        // Behind an escape, in plain text, and in the gateway's own error message.
        byte[] escaped = bytes("{\"m\":\"\\u0030" + AZURE_KEY.substring(1) + "\"}");
        assertThat(JSON.readTree(SCRUB.body(escaped)).get("m").asText()).isEqualTo("[API_KEY]");
        assertThat(new String(SCRUB.body(bytes("denied: " + AZURE_KEY)), StandardCharsets.UTF_8))
                .isEqualTo("denied: [API_KEY]");
        assertThat(SCRUB.error(GatewayError.of(ErrorKind.PROVIDER_ERROR, "bad " + AZURE_KEY)).message())
                .isEqualTo("bad [API_KEY]");
        // A short configured value is no secret and is left alone.
        byte[] org = bytes("{\"error\":{\"message\":\"unknown org-1\"}}");
        assertThat(SCRUB.body(org)).isSameAs(org);
    }

    @Test
    void scrubsACredentialUsedAsAMemberName() throws Exception {
        byte[] body = bytes("{\"error\":{\"message\":\"invalid keys\",\"keys\":{\"" + KEY + "\":\"revoked\"}}}");
        String out = new String(SCRUB.body(body), StandardCharsets.UTF_8);
        assertThat(out).doesNotContain(KEY);
        assertThat(JSON.readTree(out).at("/error/keys/[API_KEY]").asText()).isEqualTo("revoked");
        assertThat(JSON.readTree(out).at("/error/message").asText()).isEqualTo("invalid keys");
    }

    @Test
    void scrubsWhatFollowsAJsonValueAndATopLevelString() {
        // A reader stopping after the object would never see the key behind it.
        byte[] trailing = bytes("{\"error\":\"denied\"} upstream said " + KEY);
        assertThat(new String(SCRUB.body(trailing), StandardCharsets.UTF_8))
                .isEqualTo("{\"error\":\"denied\"} upstream said [API_KEY]");
        byte[] string = bytes("\"bad key \\u0073k-abcdefghijklmnopqrstuvwx\"");
        assertThat(new String(SCRUB.body(string), StandardCharsets.UTF_8)).isEqualTo("\"bad key [API_KEY]\"");
    }

    @Test
    void leavesOrdinaryErrorDetailsAlone() {
        byte[] body = bytes("{\"error\":{\"message\":\"The model `gpt-4o-2024-08-06` does not exist; request "
                + "req_8f2c1d0e9b7a6c5d4e3f2a1b, trace 123e4567-e89b-12d3-a456-426614174000, see "
                + "https://platform.openai.com/docs/errors?code=model_not_found&sk=1 or sk-ant-api (no key)\","
                + "\"type\":\"invalid_request_error\",\"param\":\"model\",\"code\":\"model_not_found\"}}");
        assertThat(SCRUB.body(body)).isSameAs(body);
    }
}
