package dev.tollgate.core.access;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.runtime.Secret;
import java.net.URI;

/**
 * Where budget alerts are POSTed as JSON (retried off the request path, never blocking one).
 *
 * @param authorization the {@code Authorization} header value to send, or null
 */
public record AlertWebhook(URI url, Secret authorization) {
    public AlertWebhook {
        requireNonNull(url, "url");
    }
}
