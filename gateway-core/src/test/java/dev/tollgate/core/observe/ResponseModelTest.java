package dev.tollgate.core.observe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResponseModelTest {
    @Test
    void aPlainModelNameIsTakenAsTheProviderGaveIt() {
        assertThat(ResponseModel.of("gpt-4o-2024-08-06", "gpt-4o")).isEqualTo("gpt-4o-2024-08-06");
        assertThat(ResponseModel.of("models/gemini-2.0-flash:001", "gemini")).isEqualTo("models/gemini-2.0-flash:001");
        assertThat(ResponseModel.of("claude_3.5", "c")).isEqualTo("claude_3.5");
        assertThat(ResponseModel.of("x".repeat(ResponseModel.MAX_CHARS), "c")).hasSize(ResponseModel.MAX_CHARS);
    }

    @Test
    void anythingElseIsReplacedByTheConfiguredName() {
        assertThat(ResponseModel.of(null, "gpt-4o")).isEqualTo("gpt-4o");
        assertThat(ResponseModel.of("", "gpt-4o")).isEqualTo("gpt-4o");
        assertThat(ResponseModel.of("gpt 4o", "gpt-4o")).isEqualTo("gpt-4o");
        assertThat(ResponseModel.of("gpt-4o\"}", "gpt-4o")).isEqualTo("gpt-4o");
        assertThat(ResponseModel.of("modèle", "m")).isEqualTo("m");
        assertThat(ResponseModel.of("x".repeat(ResponseModel.MAX_CHARS + 1), "c")).isEqualTo("c");
        assertThat(ResponseModel.of("bad model", null)).isNull();
    }
}
