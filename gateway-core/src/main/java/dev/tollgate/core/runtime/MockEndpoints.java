package dev.tollgate.core.runtime;

import java.net.URI;

/**
 * Starts (or reuses) the built-in mock server for a provider and says where it listens. The config compiler turns
 * a {@code type: mock} provider into an OpenAI-speaking provider at that address, so a mock-backed model takes
 * the same network path as a real one. Called at startup and on reload, never on a request path.
 */
@FunctionalInterface
public interface MockEndpoints {
    /** The base URL ({@code http://127.0.0.1:PORT/v1}) of a mock server behaving as {@code profile}. */
    URI endpointFor(String providerId, MockProfile profile);
}
