package dev.tollgate.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelNameTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "gpt-4o;                                          ANY;            gpt-4o",
        "gpt-4o-2024-08-06;                               ANY;            gpt-4o-2024-08-06|gpt-4o",
        "claude-3-5-haiku-20241022;                       ANY;            claude-3-5-haiku-20241022|claude-3-5-haiku",
        "claude-3-5-haiku-latest;                         ANY;            claude-3-5-haiku-latest|claude-3-5-haiku",
        "gpt-4-0613;                                      ANY;            gpt-4-0613",
        "mistral-large-2411;                              ANY;            mistral-large-2411",
        "gemini-1.5-pro-002;                              ANY;            gemini-1.5-pro-002",
        "models/gemini-2.0-flash;                         ANY;            gemini-2.0-flash",
        "  GPT-4o-Mini ;                                  ANY;            gpt-4o-mini",
        "meta-llama/Llama-3.3-70B-Instruct-Turbo;         ANY;            meta-llama/llama-3.3-70b-instruct-turbo",
        "claude-3-5-sonnet-v2@20241022;                   VERTEX;         claude-3-5-sonnet-v2",
        "claude-sonnet-4-5@20250929;                      VERTEX;         claude-sonnet-4-5",
        "anthropic.claude-3-5-sonnet-20241022-v2:0;       BEDROCK;        claude-3-5-sonnet-20241022|claude-3-5-sonnet",
        "us.anthropic.claude-sonnet-4-20250514-v1:0;      BEDROCK;        claude-sonnet-4-20250514|claude-sonnet-4",
        "apac.anthropic.claude-3-haiku-20240307-v1:0;     BEDROCK;        claude-3-haiku-20240307|claude-3-haiku",
        "global.anthropic.claude-haiku-4-5-20251001-v1:0; BEDROCK_GLOBAL; claude-haiku-4-5-20251001|claude-haiku-4-5",
        "us.meta.llama3-1-8b-instruct-v1:0;               BEDROCK;        meta.llama3-1-8b-instruct-v1:0",
        "amazon.titan-embed-text-v2:0;                    BEDROCK;        amazon.titan-embed-text-v2:0",
        "us.unknown.model;                                ANY;            us.unknown.model",
        "gpt-4.1;                                         ANY;            gpt-4.1",
        "gpt-4o-20240806x;                                ANY;            gpt-4o-20240806x",
        "-20240101;                                       ANY;            -20240101",
    })
    void reducesSpellingsToTableKeys(String upstream, Host host, String candidates) {
        assertThat(ModelName.parse(upstream)).isEqualTo(new ModelName(host, List.of(candidates.split("\\|"))));
    }
}
