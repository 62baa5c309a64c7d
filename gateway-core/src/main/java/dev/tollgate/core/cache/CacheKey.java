package dev.tollgate.core.cache;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.ResponseFormat;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.model.Tool;
import dev.tollgate.core.model.ToolChoice;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The identity of a cached answer: the scope it belongs to, the public model asked for, and a SHA-256 digest of
 * everything in the request that can change the answer. Computed from the decoded canonical request, never from
 * the client's bytes, so field order, whitespace and the client's dialect do not change it: the same question
 * asked through the OpenAI and the Anthropic API shares an entry. Raw JSON values (tool parameters, schemas,
 * extension fields) are canonicalised first (sorted members, no whitespace, numbers as written).
 *
 * <p>In the digest: scope, model, every message (role, name, every part in order: text, image URL and detail,
 * tool call id, name and arguments, tool result id and content), every tool (name, description, parameters),
 * the tool choice, every {@link Sampling} field, the response format, and the extension fields except
 * {@link #IGNORED_EXTENSIONS}. Not in it: {@code stream}, whether usage was asked for in a stream, the end user,
 * and the dialect. Each value is written with its length, so no two different requests can spell the same input.
 *
 * @param scope whose entry this is: {@code team:<name>}, {@code key:<name>}, {@code anonymous} or {@code global}
 * @param model the public model name
 * @param digest lower-case hex SHA-256
 */
public record CacheKey(String scope, String model, String digest) {

    /**
     * Extension fields that do not change the answer, left out of the key: how it is delivered ({@code stream},
     * {@code stream_options}), who asked and how the provider files it ({@code user}, {@code safety_identifier},
     * {@code metadata}, {@code store}, {@code prompt_cache_key}) and how it is billed ({@code service_tier}).
     */
    public static final Set<String> IGNORED_EXTENSIONS = Set.of(
            "stream", "stream_options", "user", "safety_identifier", "metadata", "store", "prompt_cache_key",
            "service_tier");

    public CacheKey {
        requireNonNull(scope, "scope");
        requireNonNull(model, "model");
        requireNonNull(digest, "digest");
    }

    /** The key of {@code request} in {@code scope}, for public model {@code model} (the group it routed to). */
    public static CacheKey of(String scope, String model, ChatRequest request) {
        var w = new Writer();
        w.field("scope").text(scope);
        w.field("model").text(model);
        w.field("messages").count(request.messages().size());
        for (Message m : request.messages()) {
            message(w, m);
        }
        w.field("tools").count(request.tools().size());
        for (Tool t : request.tools()) {
            w.text(t.name()).text(t.description()).json(t.parameters()).text(Boolean.toString(t.strict()));
        }
        w.field("tool_choice");
        switch (request.toolChoice()) {
            case null -> w.text(null);
            case ToolChoice.Auto a -> w.text("auto");
            case ToolChoice.None n -> w.text("none");
            case ToolChoice.Required r -> w.text("required");
            case ToolChoice.Named n -> w.text("named").text(n.name());
        }
        sampling(w, request.sampling());
        w.field("response_format");
        switch (request.responseFormat()) {
            case null -> w.text(null);
            case ResponseFormat.Text t -> w.text("text");
            case ResponseFormat.JsonObject j -> w.text("json_object");
            case ResponseFormat.JsonSchema s -> w.text("json_schema").text(s.name()).text(s.description())
                    .json(s.schema()).text(Boolean.toString(s.strict()));
        }
        var extensions = new TreeMap<String, RawJson>(request.extensions());
        extensions.keySet().removeAll(IGNORED_EXTENSIONS);
        w.field("extensions").count(extensions.size());
        for (Map.Entry<String, RawJson> e : extensions.entrySet()) {
            w.text(e.getKey()).json(e.getValue());
        }
        return new CacheKey(scope, model, w.hex());
    }

    private static void message(Writer w, Message m) {
        w.text(m.role().name()).text(m.name()).count(m.parts().size());
        for (Part p : m.parts()) {
            switch (p) {
                case Part.Text t -> w.text("text").text(t.text());
                case Part.Image i -> w.text("image").text(i.url()).text(i.detail());
                case Part.ToolCall c -> w.text("tool_call").text(c.id()).text(c.name())
                        .text(CanonicalJson.of(c.arguments()));
                case Part.ToolResult r -> w.text("tool_result").text(r.toolCallId()).text(r.content());
            }
        }
    }

    private static void sampling(Writer w, Sampling s) {
        w.field("sampling")
                .text(str(s.temperature())).text(str(s.topP())).text(str(s.maxTokens()))
                .count(s.stop().size());
        for (String stop : s.stop()) {
            w.text(stop);
        }
        w.text(str(s.seed())).text(str(s.presencePenalty())).text(str(s.frequencyPenalty())).text(str(s.n()));
    }

    private static String str(Object value) {
        return value == null ? null : value.toString();
    }

    /** Feeds the digest with length-prefixed values; a null is its own marker, distinct from an empty text. */
    private static final class Writer {
        private final MessageDigest sha;
        private final ByteBuffer number = ByteBuffer.allocate(Integer.BYTES);

        Writer() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }

        Writer field(String name) {
            return text(name);
        }

        Writer count(int n) {
            sha.update((byte) 'n');
            number.clear();
            sha.update(number.putInt(n).array());
            return this;
        }

        Writer text(String value) {
            if (value == null) {
                sha.update((byte) '0');
                return this;
            }
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            sha.update((byte) 's');
            number.clear();
            sha.update(number.putInt(bytes.length).array());
            sha.update(bytes);
            return this;
        }

        Writer json(RawJson value) {
            return text(value == null ? null : CanonicalJson.of(value.json()));
        }

        String hex() {
            return HexFormat.of().formatHex(sha.digest());
        }
    }
}
