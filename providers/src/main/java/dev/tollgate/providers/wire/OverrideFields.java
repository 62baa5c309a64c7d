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
 * {@code vertex_}.
 *
 * <p>Names are compared without case, by Unicode simple case folding: the same-dialect path forwards the client's
 * bytes, and common upstream stacks bind JSON names that way (Go's {@code encoding/json}, which also folds
 * {@code ſ} to {@code s} and the Kelvin sign to {@code k}; ASP.NET's web defaults; Jackson with case-insensitive
 * properties), so {@code "API_BASE"} or {@code "api_baſe"} reaches such an upstream as {@code api_base}.
 * Stateless.
 */
public final class OverrideFields {

    private OverrideFields() {}

    /** Whether {@code name}, a top-level member of a request body, is one the gateway refuses. */
    public static boolean refused(String name) {
        String folded = folded(name);
        return switch (folded) {
            // Where the call goes.
            case "api_base", "base_url", "azure_endpoint", "api_type", "custom_llm_provider",
                 // Who the call is made as, and with which API version.
                 "api_key", "organization", "api_version", "azure_ad_token", "azure_username", "azure_password",
                 // Headers, query and body merged into the upstream call by SDKs and LiteLLM.
                 "extra_headers", "extra_query", "extra_body", "headers",
                 // LiteLLM's per-request router and embedding config, both of which carry api_base and keys.
                 "user_config", "litellm_embedding_config" -> true;
            // Bedrock and Vertex credentials, regions and endpoints (aws_access_key_id, vertex_credentials, ...).
            default -> folded.startsWith("aws_") || folded.startsWith("vertex_");
        };
    }

    /**
     * {@code name} with each character case-folded as {@link String#equalsIgnoreCase} compares them (upper, then
     * lower case), which maps every simple case-fold variant of an ASCII letter to that letter.
     */
    private static String folded(String name) {
        var out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            out.append(Character.toLowerCase(Character.toUpperCase(name.charAt(i))));
        }
        return out.toString();
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
