package dev.tollgate.providers.wire;

import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;

/**
 * Top-level request fields that SDK-style proxies (LiteLLM's {@code completion()} kwargs and proxy body, the OpenAI
 * Python SDK's request options) read as "send this call somewhere else, or as someone else": a base URL, a key, an
 * API version, extra headers, query or body merged into the upstream call, a provider switch, cloud credentials.
 * Tollgate takes upstream URLs and credentials from its config only and would ignore them, but a client that sends
 * one expects it to work, and letting the field through to a same-dialect upstream relays an attacker's
 * {@code api_base} to a third party. So each is refused with 400 {@code parameter_not_allowed} naming the field
 * (CVE-2024-6587: {@code api_base} pointed a proxy's upstream call, with its key, at an attacker's host).
 *
 * <p>Checked by the dialects' envelope scans on top-level names they do not otherwise read, which every request
 * passes through before it is routed (passthrough and translated alike): one string switch per unknown member.
 * No field of the OpenAI or Anthropic request schemas is on the list, nor starts with {@code aws_} or
 * {@code vertex_}. Stateless.
 */
public final class OverrideFields {

    private OverrideFields() {}

    /** Whether {@code name}, a top-level member of a request body, is one the gateway refuses. */
    public static boolean refused(String name) {
        return switch (name) {
            // Where the call goes.
            case "api_base", "base_url", "azure_endpoint", "api_type", "custom_llm_provider",
                 // Who the call is made as, and with which API version.
                 "api_key", "organization", "api_version", "azure_ad_token", "azure_username", "azure_password",
                 // Headers, query and body merged into the upstream call by SDKs and LiteLLM.
                 "extra_headers", "extra_query", "extra_body", "headers",
                 // LiteLLM's per-request router and embedding config, both of which carry api_base and keys.
                 "user_config", "litellm_embedding_config" -> true;
            // Bedrock and Vertex credentials, regions and endpoints (aws_access_key_id, vertex_credentials, ...).
            default -> name.startsWith("aws_") || name.startsWith("vertex_");
        };
    }

    /** Throws the dialect-neutral 400 when {@link #refused}: the client's dialect renders it. */
    public static void check(String name) {
        if (refused(name)) {
            throw new GatewayException(GatewayError.invalid(name, "parameter_not_allowed",
                    "'" + name + "' is not allowed: upstream endpoints and credentials come from the gateway's"
                            + " configuration, not from requests."));
        }
    }
}
