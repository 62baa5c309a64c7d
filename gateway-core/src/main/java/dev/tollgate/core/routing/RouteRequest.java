package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.spi.Operation;
import java.util.function.Predicate;

/**
 * One request as routing sees it.
 *
 * @param model the model name the client sent: a model group, {@code tier:<name>}, an automatic-tier alias, or a
 *     split's model
 * @param tierHeader the {@code x-tollgate-tier} header, or null; when present it wins over {@code model}
 * @param operation the endpoint's operation; every group reached must serve it
 * @param allowed whether the caller's key may ask for a name (a model, {@code tier:<name>} or an alias)
 * @param user the end user the request names, or null (sticky assignment by user)
 */
public record RouteRequest(String model, String tierHeader, Operation operation, RequestFeatures features,
                           Predicate<String> allowed, String user, RequestOptions options) {
    /** The request header that names a tier, winning over the body's model. */
    public static final String TIER_HEADER = "x-tollgate-tier";

    public RouteRequest {
        requireNonNull(model, "model");
        requireNonNull(operation, "operation");
        requireNonNull(features, "features");
        requireNonNull(allowed, "allowed");
        requireNonNull(options, "options");
    }
}
