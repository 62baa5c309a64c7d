package dev.tollgate.providers.mock;

/** What the mock server does wrong with one request, as drawn by {@link MockEngine#fault(long)}. */
public sealed interface MockFault {

    /** Answer normally. */
    record None() implements MockFault {}

    /** Answer with this HTTP status and an OpenAI error body instead. */
    record Error(int status) implements MockFault {}

    /** For a streamed answer: cut the connection, without {@code [DONE]}, after this many content chunks. */
    record ResetAfter(int chunks) implements MockFault {}
}
