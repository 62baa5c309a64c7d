package dev.tollgate.providers.wire;

import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;

/**
 * How one client dialect words the 400 for a body that is not well-formed JSON: {@code preamble} followed by the
 * reason and a full stop, with code {@code invalid_json} and no param. Dialects differ only in these words; which
 * failures get this 400 is decided in one place, {@link Json#readObject}.
 *
 * @param preamble the text before the reason, e.g. {@code "The request body is not valid JSON: "}
 * @param trailingData the reason given when data follows the top-level value
 */
public record MalformedJson(String preamble, String trailingData) {

    /** The 400 for a body that is not JSON, for {@code why} (no trailing full stop). */
    public GatewayException because(String why) {
        return new GatewayException(GatewayError.invalid(null, "invalid_json", preamble + why + "."));
    }
}
