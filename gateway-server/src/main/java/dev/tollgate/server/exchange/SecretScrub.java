package dev.tollgate.server.exchange;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.pii.PiiDetector;
import dev.tollgate.core.pii.PiiRedactor;
import dev.tollgate.core.pii.PiiType;
import dev.tollgate.core.routing.AwsCredentials;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.runtime.Secret;
import dev.tollgate.core.spi.Header;
import dev.tollgate.core.spi.UpstreamReply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Removes credentials from what an upstream says when it fails, before the client or a log sees it: providers echo
 * the key they were sent ("Incorrect API key provided: sk-..."), a Gemini 404 quotes its URL with {@code ?key=},
 * a proxy error names {@code http://user:pass@host}. Anything {@link PiiDetector#secrets()} finds is replaced with
 * its placeholder ({@code [API_KEY]}, {@code [URL_CREDENTIAL]}, ...), and so is every credential the provider is
 * configured with, word for word: many keys have no recognisable shape (Azure's 32 hex digits, Mistral's, Groq's
 * {@code gsk_...}), and the gateway knows exactly which ones it sent.
 *
 * <p>A JSON body keeps its shape: only strings (values and member names) change, and it is re-serialised only when
 * one did. A body with nothing to remove is returned as the same array, so a relayed error stays byte-for-byte what
 * the provider sent; that check is one scan of the text unless the body uses JSON escapes (which could hide a
 * secret from a scan of the raw text). A body that is not one JSON value (an HTML error page, a truncated body, JSON
 * followed by anything) is scrubbed as text. Used on failed replies only: a success costs nothing. Thread-safe.
 *
 * @param provider whose replies are scrubbed: its own credentials are removed too
 */
record SecretScrub(Provider provider) {
    /** Error bodies are small; the bound keeps a hostile upstream's deep nesting from recursing far. */
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build()).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    private static final PiiRedactor REDACTOR = new PiiRedactor(PiiDetector.secrets());
    /**
     * Configured values shorter than this are not searched for: a placeholder key ("EMPTY" for a local server)
     * is no secret, and replacing a short word everywhere would garble the provider's message.
     */
    private static final int MIN_LITERAL = 16;

    SecretScrub {
        requireNonNull(provider, "provider");
    }

    /** {@code body} itself when it holds no credential, else a copy with each one replaced. */
    byte[] body(byte[] body) {
        if (body.length == 0) {
            return body;
        }
        List<String> literals = literals();
        String text = new String(body, StandardCharsets.UTF_8);
        if (text.indexOf('\\') < 0 && !mentions(text, literals) && PiiDetector.secrets().find(text).isEmpty()) {
            return body;
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (IOException | RuntimeException e) {
            tree = null; // not one JSON value: scrubbed as text below
        }
        if (tree == null || tree.isMissingNode()) {
            String scrubbed = text(text, literals);
            return scrubbed == text ? body : scrubbed.getBytes(StandardCharsets.UTF_8);
        }
        JsonNode scrubbed = scrubbed(tree, literals);
        if (scrubbed == null) {
            return body;
        }
        try {
            return JSON.writeValueAsBytes(scrubbed);
        } catch (IOException e) {
            throw new IllegalStateException("a parsed tree always serialises", e);
        }
    }

    /** {@code reply} with its body scrubbed ({@link #body}); the same instance when there was nothing to remove. */
    UpstreamReply reply(UpstreamReply reply) {
        byte[] body = body(reply.body());
        return body == reply.body() ? reply : new UpstreamReply(reply.status(), reply.headers(), body);
    }

    /** {@code error} with its message scrubbed; the same instance when there was nothing to remove. */
    GatewayError error(GatewayError error) {
        String message = text(error.message(), literals());
        return message == error.message() ? error : new GatewayError(error.kind(), error.httpStatus(), message,
                error.param(), error.code(), error.retryAfter());
    }

    /** The provider's credentials long enough to search for: its key, its extra headers, its AWS credentials. */
    private List<String> literals() {
        var out = new ArrayList<String>(4);
        add(out, provider.apiKey());
        for (Header h : provider.headers()) {
            add(out, h.value());
        }
        AwsCredentials aws = provider.aws();
        if (aws != null) {
            add(out, aws.accessKeyId());
            add(out, aws.secretAccessKey());
            add(out, aws.sessionToken());
        }
        return out;
    }

    private static void add(List<String> out, Secret secret) {
        if (secret != null) {
            add(out, secret.reveal());
        }
    }

    private static void add(List<String> out, String value) {
        if (value.length() >= MIN_LITERAL) {
            out.add(value);
        }
    }

    private static boolean mentions(String text, List<String> literals) {
        for (String literal : literals) {
            if (text.contains(literal)) {
                return true;
            }
        }
        return false;
    }

    /** {@code text} with what the detectors find and every literal replaced; the same instance when neither. */
    private static String text(String text, List<String> literals) {
        String out = REDACTOR.redact(text).text();
        for (String literal : literals) {
            if (out.contains(literal)) {
                out = out.replace(literal, PiiType.API_KEY.placeholder());
            }
        }
        return out;
    }

    /**
     * What replaces {@code node} when something in it changed (a text node is replaced, a container changes in
     * place and is returned), else null.
     */
    private static JsonNode scrubbed(JsonNode node, List<String> literals) {
        if (node.isTextual()) {
            String text = text(node.textValue(), literals);
            return text == node.textValue() ? null : TextNode.valueOf(text);
        }
        boolean changed = false;
        if (node instanceof ObjectNode object) {
            // Names too: an error can key a map by what it complains about. Two names that scrub alike keep the
            // later value, as a JSON reader would.
            var members = new LinkedHashMap<String, JsonNode>();
            for (Map.Entry<String, JsonNode> member : object.properties()) {
                String name = text(member.getKey(), literals);
                JsonNode value = scrubbed(member.getValue(), literals);
                changed |= name != member.getKey() || value != null;
                members.put(name, value == null ? member.getValue() : value);
            }
            if (changed) {
                object.removeAll();
                object.setAll(members);
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode value = scrubbed(array.get(i), literals);
                if (value != null) {
                    array.set(i, value);
                    changed = true;
                }
            }
        }
        return changed ? node : null;
    }
}
