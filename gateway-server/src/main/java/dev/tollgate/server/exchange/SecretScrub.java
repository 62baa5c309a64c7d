package dev.tollgate.server.exchange;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.pii.PiiDetector;
import dev.tollgate.core.pii.PiiRedactor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Removes credentials from what an upstream says when it fails, before the client or a log sees it: providers echo
 * the key they were sent ("Incorrect API key provided: sk-..."), a Gemini 404 quotes its URL with {@code ?key=},
 * a proxy error names {@code http://user:pass@host}. Anything {@link PiiDetector#secrets()} finds is replaced with
 * its placeholder ({@code [API_KEY]}, {@code [URL_CREDENTIAL]}, ...).
 *
 * <p>A JSON body keeps its shape: only string values change, and it is re-serialised only when one did. A body with
 * nothing to remove is returned as the same array, so a relayed error stays byte-for-byte what the provider sent;
 * that check is one scan of the text unless the body uses JSON escapes (which could hide a secret from a scan of the
 * raw text). A body that is not JSON is scrubbed as text. Stateless and thread-safe.
 */
final class SecretScrub {
    /** Error bodies are small; the bound keeps a hostile upstream's deep nesting from recursing far. */
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build()).build()).build();
    private static final PiiRedactor REDACTOR = new PiiRedactor(PiiDetector.secrets());

    private SecretScrub() {}

    /** {@code body} itself when it holds no credential, else a copy with each one replaced. */
    static byte[] body(byte[] body) {
        if (body.length == 0) {
            return body;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        if (text.indexOf('\\') < 0 && PiiDetector.secrets().find(text).isEmpty()) {
            return body;
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (IOException | RuntimeException e) {
            tree = null; // not JSON (an HTML error page, a truncated body): scrubbed as text below
        }
        if (tree == null || !tree.isContainerNode()) {
            String scrubbed = REDACTOR.redact(text).text();
            return scrubbed == text ? body : scrubbed.getBytes(StandardCharsets.UTF_8);
        }
        if (!scrub(tree)) {
            return body;
        }
        try {
            return JSON.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new IllegalStateException("a parsed tree always serialises", e);
        }
    }

    /** {@code error} with its message scrubbed; the same instance when there was nothing to remove. */
    static GatewayError error(GatewayError error) {
        String message = REDACTOR.redact(error.message()).text();
        return message == error.message() ? error : new GatewayError(error.kind(), error.httpStatus(), message,
                error.param(), error.code(), error.retryAfter());
    }

    /** Scrubs every string value under {@code node} in place; true when one changed. */
    private static boolean scrub(JsonNode node) {
        boolean changed = false;
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> member : object.properties()) {
                JsonNode scrubbed = scrubbed(member.getValue());
                if (scrubbed != null) {
                    member.setValue(scrubbed);
                    changed = true;
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode scrubbed = scrubbed(array.get(i));
                if (scrubbed != null) {
                    array.set(i, scrubbed);
                    changed = true;
                }
            }
        }
        return changed;
    }

    /** What replaces {@code value} when something in it changed (a container changes in place), else null. */
    private static JsonNode scrubbed(JsonNode value) {
        if (value.isTextual()) {
            String text = REDACTOR.redact(value.textValue()).text();
            return text == value.textValue() ? null : TextNode.valueOf(text);
        }
        return scrub(value) ? value : null;
    }
}
