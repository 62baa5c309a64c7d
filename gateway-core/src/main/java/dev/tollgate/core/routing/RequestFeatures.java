package dev.tollgate.core.routing;

import java.util.Map;

/**
 * What routing rules may look at in one request. Implementations compute the costly features (those that need
 * the body decoded) only when a rule asks for them.
 */
public interface RequestFeatures {
    /** An estimate of the prompt's tokens. */
    long promptTokens();

    boolean hasTools();

    boolean hasImages();

    /** The client asked for JSON output (a JSON object or a JSON schema). */
    boolean jsonMode();

    /** The text of the last user message, or the empty string. */
    String lastUserText();

    /** The virtual key's name, or null on an open gateway. */
    String key();

    /** The key's team, or null. */
    String team();

    /** A request header by lower-case name, or null. */
    String header(String name);

    /** The virtual key's metadata labels; empty when none. */
    Map<String, String> metadata();
}
