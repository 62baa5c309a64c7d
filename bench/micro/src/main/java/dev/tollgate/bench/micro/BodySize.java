package dev.tollgate.bench.micro;

/** The two request bodies each API is measured with. */
public enum BodySize {
    /**
     * A typical chat call, under 300 bytes: a system prompt and one question, {@code model} first (the fixture
     * {@code <api>-request.json}).
     */
    SMALL,
    /**
     * A long conversation of exactly {@value Conversation#LARGE_BYTES} bytes with {@code model} after
     * {@code messages}, the order the OpenAI Python SDK sends: the model is found only past the whole history.
     */
    LARGE
}
