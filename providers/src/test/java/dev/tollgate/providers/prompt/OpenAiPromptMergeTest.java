package dev.tollgate.providers.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.prompt.PromptUse;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.PromptRequest;
import dev.tollgate.core.spi.PromptedBody;
import dev.tollgate.core.spi.RequestEnvelope;
import dev.tollgate.providers.openai.OpenAiDialect;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OpenAiPromptMergeTest {
    private final OpenAiDialect dialect = new OpenAiDialect();

    private PromptedBody merge(String body, PromptRequest headers) {
        return dialect.mergePrompt(body.getBytes(StandardCharsets.UTF_8), Operation.CHAT, headers,
                PromptFixture.resolver());
    }

    private static JsonNode tree(PromptedBody merged) throws IOException {
        return Json.MAPPER.readTree(merged.body());
    }

    private GatewayError error(String body, PromptRequest headers) {
        return catchThrowableOfType(GatewayException.class, () -> merge(body, headers)).error();
    }

    @Test
    void theEnvelopeNotesABodyPromptAndDefersTheFieldsItMayBring() {
        RequestEnvelope e = dialect.envelope("""
                {"messages":[],"prompt":{"id":"support"}}""".getBytes(StandardCharsets.UTF_8), Operation.CHAT);
        assertThat(e.namesPrompt()).isTrue();
        assertThat(e.model()).isEmpty();
        RequestEnvelope plain = dialect.envelope("""
                {"model":"m","messages":[{"role":"user","content":"hi"}]}""".getBytes(StandardCharsets.UTF_8),
                Operation.CHAT);
        assertThat(plain.namesPrompt()).isFalse();
        assertThat(catchThrowableOfType(GatewayException.class, () -> dialect.envelope("""
                {"model":"m","messages":[]}""".getBytes(StandardCharsets.UTF_8), Operation.CHAT)).error().code())
                .isEqualTo("empty_array");
    }

    @Test
    void aBodyPromptIsRenderedBeforeTheClientsMessagesAndRemoved() throws IOException {
        PromptedBody merged = merge("""
                {"model":"mine","max_tokens":50,"messages":[{"role":"system","content":"own system"},
                 {"role":"user","content":"hi"}],
                 "prompt":{"id":"support","variables":{"product":"Acme","ticket":42}}}""", PromptRequest.NONE);
        JsonNode body = tree(merged);
        assertThat(body.has("prompt")).isFalse();
        assertThat(body.get("messages").toString()).isEqualTo("""
                [{"role":"system","content":"You answer for Acme."},{"role":"user","content":"Ticket: 42"},\
                {"role":"system","content":"own system"},{"role":"user","content":"hi"}]""");
        // the experiment's arm names a model: it wins over the client's own
        assertThat(body.get("model").asText()).isEqualTo("other-chat");
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.2);
        assertThat(body.get("max_tokens").asInt()).isEqualTo(50); // the client's, not the version's 300
        assertThat(body.get("stop").toString()).isEqualTo("[\"END\"]");
        assertThat(merged.choice().use()).isEqualTo(new PromptUse("support", 1, "production", "tone", "b"));
        RequestEnvelope e = dialect.envelope(merged.body(), Operation.CHAT);
        assertThat(e.namesPrompt()).isFalse();
        assertThat(e.model()).isEqualTo("other-chat");
    }

    @Test
    void theHeaderFormNamesALabelOrAVersionWithVariablesInTheirOwnHeader() throws IOException {
        PromptedBody merged = merge("""
                {"model":"mine","messages":[{"role":"user","content":"hi"}]}""",
                new PromptRequest("support@beta", "{\"product\":\"Acme\",\"flag\":true}"));
        JsonNode body = tree(merged);
        assertThat(body.get("messages").toString()).isEqualTo("""
                [{"role":"system","content":"v2 for Acme."},{"role":"system","content":"Be brief."},\
                {"role":"user","content":"hi"}]""");
        assertThat(body.get("model").asText()).isEqualTo("mine");
        assertThat(body.has("temperature")).isFalse();
        assertThat(merged.choice().use()).isEqualTo(new PromptUse("support", 2, "beta", null, null));
    }

    @Test
    void theModelIsTheClientsNonEmptyOneElseTheVersions() throws IOException {
        var vars = "{\"product\":\"A\",\"ticket\":\"t\"}";
        assertThat(tree(merge("{\"model\":\"mine\",\"messages\":[]}", new PromptRequest("support@1", vars)))
                .get("model").asText()).isEqualTo("mine");
        assertThat(tree(merge("{\"model\":\"\",\"messages\":[]}", new PromptRequest("support@1", vars)))
                .get("model").asText()).isEqualTo("chat-v1");
        assertThat(tree(merge("{\"messages\":[]}", new PromptRequest("support@1", vars)))
                .get("model").asText()).isEqualTo("chat-v1");
        // named nowhere: the merged body has no model, and the envelope gives the dialect's usual 400
        PromptedBody none = merge("{\"model\":\"\",\"messages\":[]}", new PromptRequest("plain", null));
        assertThat(tree(none).has("model")).isFalse();
        assertThat(catchThrowableOfType(GatewayException.class,
                () -> dialect.envelope(none.body(), Operation.CHAT)).error().code())
                .isEqualTo("missing_required_parameter");
    }

    @Test
    void maxTokensIsLeftAloneWhenTheClientSetItsSuccessor() throws IOException {
        JsonNode body = tree(merge("""
                {"model":"m","max_completion_tokens":10,"temperature":null,"messages":[]}""",
                new PromptRequest("support@1", "{\"product\":\"A\",\"ticket\":\"t\"}")));
        assertThat(body.has("max_tokens")).isFalse();
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.2); // null is unset
    }

    @Test
    void theClientsOtherFieldsGoUpstreamAsWritten() {
        String own = "\"temperature\":1.0,\"top_p\":0.30000000000000004,\"seed\":12345678901234567890,"
                + "\"metadata\":{\"k\":\"\u00e9\"}";
        PromptedBody merged = merge("{\"model\":\"m\"," + own + ",\"messages\":[]}", new PromptRequest("plain", null));
        assertThat(new String(merged.body(), StandardCharsets.UTF_8)).isEqualTo("{\"model\":\"m\"," + own
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
    }

    @Test
    void headerVariablesReadAsTheBodysDoNumbersKeepingTheirDigits() throws IOException {
        String variables = "{\"product\":1.10,\"ticket\":3.14159265358979323846264}";
        JsonNode byHeader = tree(merge("{\"model\":\"m\",\"messages\":[]}",
                new PromptRequest("support@1", variables)));
        JsonNode byBody = tree(merge("{\"model\":\"m\",\"messages\":[],\"prompt\":{\"id\":\"support\","
                + "\"version\":1,\"variables\":" + variables + "}}", PromptRequest.NONE));
        assertThat(byHeader.get("messages").toString()).isEqualTo("""
                [{"role":"system","content":"You answer for 1.10."},\
                {"role":"user","content":"Ticket: 3.14159265358979323846264"}]""");
        assertThat(byHeader.get("messages")).isEqualTo(byBody.get("messages"));
        // beyond a double's range: a number still, never a quoted "Infinity"
        assertThat(tree(merge("{\"model\":\"m\",\"messages\":[]}",
                new PromptRequest("support@1", "{\"product\":1e400,\"ticket\":-7}"))).get("messages").toString())
                .isEqualTo("""
                        [{"role":"system","content":"You answer for 1E+400."},\
                        {"role":"user","content":"Ticket: -7"}]""");
    }

    @Test
    void aVariablesHeaderWithTwoValuesForANameOrDataAfterItsObjectIsA400() {
        for (String variables : new String[] {"{\"product\":\"a\",\"ticket\":\"t\",\"product\":\"b\"}",
                "{\"product\":\"a\",\"ticket\":\"t\"} {}", "{\"product\":\"a\",\"ticket\":\"t\"}x"}) {
            GatewayError e = error("{\"model\":\"m\",\"messages\":[]}", new PromptRequest("support@1", variables));
            assertThat(e.code()).as(variables).isEqualTo("invalid_prompt_variables");
            assertThat(e.param()).as(variables).isEqualTo(PromptRequest.VARIABLES_HEADER);
        }
    }

    @Test
    void aVersionMayBeANumberOrAString() {
        assertThat(merge("""
                {"model":"m","messages":[],"prompt":{"id":"plain","version":"1"}}""", PromptRequest.NONE)
                .choice().use().version()).isEqualTo(1);
        assertThat(merge("""
                {"model":"m","messages":[],"prompt":{"id":"plain","version":1}}""", PromptRequest.NONE)
                .choice().use().version()).isEqualTo(1);
    }

    @Test
    void badReferencesAndVariablesAre400sNamingTheField() {
        assertThat(error("{\"model\":\"m\",\"messages\":[],\"prompt\":{\"id\":\"plain\"}}",
                new PromptRequest("plain", null)).code()).isEqualTo("prompt_named_twice");
        assertThat(error("{\"model\":\"m\",\"messages\":[],\"prompt\":{\"id\":\"plain\"}}",
                new PromptRequest(null, "{}")).param()).isEqualTo(PromptRequest.VARIABLES_HEADER);
        GatewayError object = error("""
                {"model":"m","messages":[],"prompt":{"id":"support","variables":{"product":{"a":1},"ticket":"t"}}}""",
                PromptRequest.NONE);
        assertThat(object.httpStatus()).isEqualTo(400);
        assertThat(object.param()).isEqualTo("prompt.variables.product");
        assertThat(error("{\"model\":\"m\",\"messages\":[]}", new PromptRequest("support", "{\"product\":null}"))
                .param()).isEqualTo("x-tollgate-prompt-variables.product");
        assertThat(error("{\"model\":\"m\",\"messages\":[]}", new PromptRequest("support", "[1]")).param())
                .isEqualTo(PromptRequest.VARIABLES_HEADER);
        assertThat(error("{\"model\":\"m\",\"messages\":[]}", new PromptRequest("support", "{oops")).code())
                .isEqualTo("invalid_prompt_variables");
        GatewayError missing = error("{\"model\":\"m\",\"messages\":[]}", new PromptRequest("support", "{}"));
        assertThat(missing.code()).isEqualTo("prompt_variables_missing");
        assertThat(missing.message()).contains("product, ticket");
        assertThat(error("{\"model\":\"m\",\"messages\":[],\"prompt\":{\"id\":\"plain\",\"version\":1,"
                + "\"label\":\"x\"}}", PromptRequest.NONE).code()).isEqualTo("prompt_version_and_label");
        assertThat(error("{\"model\":\"m\",\"messages\":[],\"prompt\":{\"id\":\"plain\",\"vars\":{}}}",
                PromptRequest.NONE).param()).isEqualTo("prompt.vars");
        assertThat(error("{\"model\":\"m\",\"messages\":[],\"prompt\":\"plain\"}", PromptRequest.NONE).param())
                .isEqualTo("prompt");
        assertThat(error("{\"model\":\"m\",\"messages\":[],\"prompt\":{\"id\":\"plain\",\"version\":0}}",
                PromptRequest.NONE).code()).isEqualTo("invalid_prompt_reference");
        assertThat(error("{\"model\":\"m\",\"messages\":[],\"prompt\":{}}", PromptRequest.NONE).param())
                .isEqualTo("prompt.id");
    }

    @Test
    void unknownPromptsLabelsAndVersionsAre404s() {
        for (String ref : new String[] {"nope", "support@gamma", "support@9"}) {
            GatewayError e = error("{\"model\":\"m\",\"messages\":[]}", new PromptRequest(ref, null));
            assertThat(e.httpStatus()).as(ref).isEqualTo(404);
            assertThat(e.code()).isEqualTo("prompt_not_found");
        }
    }

    @Test
    void aBodyThatIsNotJsonGetsTheDialectsMalformedBody400() {
        assertThat(error("{\"model\":", new PromptRequest("plain", null)).code()).isEqualTo("invalid_json");
    }

    @Test
    void keysGivenTwiceAreRefusedWhereTheGatewayReadsThemAndLeftToTheUpstreamElsewhere() throws IOException {
        // top level: the envelope's 400, whichever way the prompt is named
        GatewayError top = error("{\"model\":\"a\",\"model\":\"b\",\"messages\":[]}", new PromptRequest("plain", null));
        assertThat(top.code()).isEqualTo("duplicate_key");
        assertThat(top.param()).isEqualTo("model");
        GatewayError id = error("""
                {"model":"m","messages":[],"prompt":{"id":"plain","id":"support"}}""", PromptRequest.NONE);
        assertThat(id.code()).isEqualTo("duplicate_key");
        assertThat(id.param()).isEqualTo("prompt.id");
        GatewayError variable = error("""
                {"model":"m","messages":[],
                 "prompt":{"id":"support","variables":{"product":"a","ticket":"t","product":"b"}}}""",
                PromptRequest.NONE);
        assertThat(variable.code()).isEqualTo("duplicate_key");
        assertThat(variable.param()).isEqualTo("prompt.variables.product");
        // inside the client's own fields: read as the upstream reads them (the last wins), as without a prompt
        PromptedBody merged = merge("""
                {"model":"m","messages":[{"role":"user","content":"x","content":"y"}]}""",
                new PromptRequest("plain", null));
        assertThat(tree(merged).at("/messages/1/content").asText()).isEqualTo("y");
    }
}
