package dev.tollgate.config;

import static dev.tollgate.config.Fixtures.CANARY;
import static dev.tollgate.config.Fixtures.loaded;
import static dev.tollgate.config.Fixtures.loader;
import static dev.tollgate.config.Fixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.runtime.Secret;
import dev.tollgate.core.spi.Header;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Secret references resolve through the injected environment and files, and no secret value ever leaks. */
class SecretReferencesTest {

    @TempDir
    Path dir;

    /** A provider {@code openai} whose api_key (and any extra lines) are as given. */
    private static String withKey(String apiKey, String extra) {
        return """
                providers:
                  openai:
                    type: openai
                    base_url: https://api.openai.com/v1
                    api_key: %s
                %s
                models:
                  gpt-4o-mini:
                    deployments: [{ provider: openai }]
                """.formatted(apiKey, extra.indent(4).stripTrailing());
    }

    private static Provider openai(LoadResult result) {
        return loaded(result).snapshot().providers().get("openai");
    }

    @Test
    void envReferenceResolvesAndKeepsItsReference() {
        LoadResult result = loader().parse("t.yaml", withKey("${env:OPENAI_API_KEY}", ""));
        Secret key = openai(result).apiKey();
        assertThat(key.reveal()).isEqualTo(CANARY);
        assertThat(key.reference()).isEqualTo("${env:OPENAI_API_KEY}");
        assertThat(loaded(result).warnings()).isEmpty();
        assertThat(openai(result).authHeaders()).containsExactly(new Header("authorization", "Bearer " + CANARY));
    }

    @Test
    void unsetEnvVariableIsAProblemAtItsLine() {
        assertThat(problems(loader().parse("t.yaml", withKey("${env:MISTRAL_API_KEY}", "")))).containsExactly(
                "t.yaml:5:14: providers.openai.api_key: environment variable MISTRAL_API_KEY is not set "
                        + "(referenced as ${env:MISTRAL_API_KEY})");
    }

    @Test
    void fileReferenceIsReadAndTrailingLineBreaksTrimmed() throws IOException {
        Path file = Files.writeString(dir.resolve("openai.key"), CANARY + "\r\n\n");
        Secret key = openai(loader().parse("t.yaml", withKey("${file:" + file + "}", ""))).apiKey();
        assertThat(key.reveal()).isEqualTo(CANARY);
        assertThat(key.reference()).isEqualTo("${file:" + file + "}");
    }

    @Test
    void literalKeyIsAllowedWithAWarning() {
        LoadResult.Loaded loaded = loaded(loader().parse("t.yaml", withKey(CANARY, "")));
        assertThat(loaded.snapshot().providers().get("openai").apiKey().reference()).isEqualTo("(literal)");
        assertThat(loaded.warnings()).map(ConfigProblem::toString).containsExactly(
                "t.yaml:5:14: providers.openai.api_key: the key is written in the file; use ${env:NAME} or "
                        + "${file:/path} to keep it out of it");
    }

    @Test
    void headerValuesTakeReferencesToo() {
        Provider p = openai(loader().parse("t.yaml",
                withKey("${env:OPENAI_API_KEY}", "auth_header: api-key\nheaders: { X-Org: '${env:ORG_TOKEN}', X-Team: blue }")));
        assertThat(p.headers()).containsExactly(new Header("X-Org", CANARY + "-org"), new Header("X-Team", "blue"));
        assertThat(p.authHeaders()).first().isEqualTo(new Header("api-key", CANARY));
        assertThat(p.toString()).doesNotContain(CANARY);
    }

    static Stream<Object[]> unusableReferences() {
        return Stream.of(
                new Object[] {"${env:OPENAI_API_KEY", "malformed secret reference: expected ${env:NAME} or ${file:/absolute/path}"},
                new Object[] {"${vault:secret/openai}", "unknown secret source 'vault': expected ${env:NAME} or ${file:/absolute/path}"},
                new Object[] {"${env:1BAD}", "${env:...} needs a variable name of letters, digits and _, not starting with a digit"},
                new Object[] {"${file:relative/key.txt}", "${file:...} needs an absolute file path"},
                new Object[] {"${file:/nonexistent/tollgate/key}", "secret file /nonexistent/tollgate/key does not exist"});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unusableReferences")
    void unusableReferencesAreProblems(String reference, String message) {
        assertThat(problems(loader().parse("t.yaml", withKey("'" + reference + "'", ""))))
                .containsExactly("t.yaml:5:14: providers.openai.api_key: " + message);
    }

    @Test
    void secretFileMustBeARegularFileOfBoundedSize() throws IOException {
        Path big = Files.write(dir.resolve("big"), new byte[SecretReferences.MAX_FILE_BYTES + 1]);
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        Path binary = Files.write(dir.resolve("binary"), new byte[] {(byte) 0xff, (byte) 0xfe});
        String yaml = withKey("${file:" + big + "}", "headers:\n  X-A: ${file:" + dir + "}\n  X-B: ${file:" + empty
                + "}\n  X-C: ${file:" + binary + "}");
        assertThat(problems(loader().parse("t.yaml", yaml))).containsExactly(
                "t.yaml:5:14: providers.openai.api_key: secret file " + big + " is larger than 64KiB",
                "t.yaml:7:12: providers.openai.headers.X-A: secret file " + dir + " is not a regular file",
                "t.yaml:8:12: providers.openai.headers.X-B: the value of ${file:" + empty + "} is empty",
                "t.yaml:9:12: providers.openai.headers.X-C: secret file " + binary + " is not UTF-8 text");
    }

    @Test
    void aSecretThatCannotGoInAHeaderIsAProblemThatDoesNotShowIt() {
        var loader = new ConfigLoader(Fixtures.TYPES, Map.of("KEY", CANARY + "\r\nX-Injected: 1")::get,
                new Fixtures.RecordingMocks());
        assertThat(problems(loader.parse("t.yaml", withKey("${env:KEY}", "")))).containsExactly(
                "t.yaml:5:14: providers.openai.api_key: the value of ${env:KEY} contains a line break or control "
                        + "character, which cannot go in an HTTP header");
    }

    /** Broken configs that hold the canary inline or through references, each failing in a different place. */
    static Stream<String> configsHoldingTheCanary() {
        return Stream.of(
                withKey(CANARY, "headers: { X-Org: " + CANARY + " }"),
                withKey(CANARY, "headers: { X-Org: [" + CANARY + "] }"),
                withKey("\"" + CANARY, ""),
                withKey(CANARY + ": x", ""),
                withKey("[" + CANARY, ""),
                withKey("{ " + CANARY + " }", ""),
                withKey("!!binary " + CANARY, ""),
                withKey("${env:" + CANARY + "}", ""),
                withKey("${file:" + CANARY + "}", ""),
                withKey("'" + CANARY + "\t\u0001'", ""),
                withKey("${env:OPENAI_API_KEY}", "bogus: " + CANARY),
                withKey("${env:OPENAI_API_KEY}", "headers: { Host: '${env:OPENAI_API_KEY}' }"),
                withKey("${env:OPENAI_API_KEY}", "").replace("https://api.openai.com/v1", "https://u:" + CANARY + "@h/v1"),
                withKey("${env:OPENAI_API_KEY}", "").replace("https://api.openai.com/v1", "http://h/v1?key=" + CANARY),
                withKey("${env:OPENAI_API_KEY}", "").replace("https://api.openai.com/v1", CANARY),
                withKey(CANARY, "") + "\n---\n" + CANARY + "\n",
                withKey("${env:OPENAI_API_KEY}", "") + "  " + CANARY + ": [",
                "providers: { openai: { api_key: " + CANARY + " } }\n",
                // The AWS credentials are secrets too, and the values next to them may be keys pasted a line off.
                bedrock("aws_secret_access_key: " + CANARY + "\nregion: NOT-A-REGION"),
                bedrock("aws_secret_access_key: '${env:" + CANARY + "}'\nregion: us-east-1"),
                bedrock("aws_secret_access_key: [" + CANARY + "]\nregion: us-east-1"),
                bedrock("aws_secret_access_key: ${env:AWS_SECRET_ACCESS_KEY}\nregion: " + CANARY),
                bedrock("aws_secret_access_key: ${env:AWS_SECRET_ACCESS_KEY}\nregion: us-east-1\naws_session_token: '"
                        + CANARY + "\u0001'"),
                bedrock("aws_secret_access_key: ${env:AWS_SECRET_ACCESS_KEY}\nregion: us-east-1\napi_key: " + CANARY),
                bedrock("aws_secret_access_key: ${env:AWS_SECRET_ACCESS_KEY}\nregion: us-east-1\nheaders: { X-Amz-Security-Token: "
                        + CANARY + " }"),
                withKey("${env:OPENAI_API_KEY}", "aws_session_token: " + CANARY),
                withKey("${env:OPENAI_API_KEY}", "api_version: " + CANARY + "/x").replace("type: openai", "type: azure-openai"));
    }

    /** A bedrock provider {@code openai} with its access key id, and {@code lines}. */
    private static String bedrock(String lines) {
        return """
                providers:
                  openai:
                    type: bedrock
                    aws_access_key_id: ${env:AWS_ACCESS_KEY_ID}
                %s
                models:
                  gpt-4o-mini:
                    deployments: [{ provider: openai }]
                """.formatted(lines.indent(4).stripTrailing());
    }

    @ParameterizedTest
    @MethodSource("configsHoldingTheCanary")
    void noProblemWarningOrSnapshotTextContainsASecret(String yaml) {
        LoadResult result = loader().parse("t.yaml", yaml);
        List<String> output = new ArrayList<>();
        output.add(result.toString());
        switch (result) {
            case LoadResult.Invalid invalid -> invalid.problems().forEach(p -> output.add(p.toString() + p.message()));
            case LoadResult.Loaded loaded -> loaded.warnings().forEach(p -> output.add(p.toString()));
        }
        assertThat(output).noneMatch(text -> text.contains(CANARY));
    }

    @Test
    void awsCredentialsResolveLikeApiKeys() throws IOException {
        Path file = Files.writeString(dir.resolve("aws-secret"), CANARY + "-file\n");
        LoadResult.Loaded loaded = loaded(loader().parse("t.yaml", bedrock(
                "aws_secret_access_key: ${file:" + file + "}\naws_session_token: ${env:AWS_SESSION_TOKEN}\nregion: us-east-1")));
        var aws = loaded.snapshot().providers().get("openai").aws();
        assertThat(aws.accessKeyId().reveal()).isEqualTo(CANARY + "-id");
        assertThat(aws.secretAccessKey().reveal()).isEqualTo(CANARY + "-file");
        assertThat(aws.secretAccessKey().reference()).isEqualTo("${file:" + file + "}");
        assertThat(aws.sessionToken().reveal()).isEqualTo(CANARY + "-session");
        assertThat(loaded.warnings()).isEmpty();
        assertThat(loaded.toString()).doesNotContain(CANARY);
    }

    @Test
    void aValidConfigWithSecretsPrintsNone() throws IOException {
        Path file = Files.writeString(dir.resolve("key"), CANARY, StandardCharsets.UTF_8);
        LoadResult.Loaded loaded = loaded(loader().parse("t.yaml",
                withKey("${file:" + file + "}", "headers:\n  X-Org: ${env:ORG_TOKEN}")));
        assertThat(loaded.toString()).doesNotContain(CANARY).contains("${file:" + file + "}");
        assertThat(loaded.snapshot().model("gpt-4o-mini").toString()).doesNotContain(CANARY);
    }
}
