package dev.tollgate.providers.wire;

import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.spi.Header;
import dev.tollgate.core.spi.UpstreamCall;
import java.util.ArrayList;
import java.util.List;

/**
 * The upstream call of the providers whose key travels in plain headers (OpenAI, Anthropic, Gemini): a POST of a
 * JSON body carrying the provider's configured auth headers. Stateless.
 */
public final class JsonPost {

    private static final Header CONTENT_TYPE = new Header("content-type", "application/json");

    private JsonPost() {}

    /**
     * A POST to {@code path} under the provider's base URL with the provider's auth headers, then {@code extra},
     * then {@code content-type: application/json}, in that order. {@code body} is null when the caller supplies
     * the client's bytes itself (passthrough).
     */
    public static UpstreamCall to(Deployment target, String path, byte[] body, Header... extra) {
        List<Header> auth = target.provider().authHeaders();
        var headers = new ArrayList<Header>(auth.size() + extra.length + 1);
        headers.addAll(auth);
        headers.addAll(List.of(extra));
        headers.add(CONTENT_TYPE);
        return new UpstreamCall("POST", target.provider().resolve(path), headers, body);
    }
}
