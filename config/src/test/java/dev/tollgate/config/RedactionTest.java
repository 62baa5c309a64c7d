package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Config text as an admin sees it: secrets gone, everything else and every line number in place. */
class RedactionTest {

    private static void assertRedacts(String text, String expected) {
        assertThat(Redaction.redact(text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "api_key: sk-abc                 | api_key: <redacted>",
        "API_KEY: 'abc'                  | API_KEY: <redacted>",
        "Api-Key: \"a\\\"b\"             | Api-Key: <redacted>",
        "apiKey: abc # the key           | apiKey: <redacted> # the key",
        "key: abc                        | key: <redacted>",
        "secret: abc                     | secret: <redacted>",
        "password: abc                   | password: <redacted>",
        "token: abc                      | token: <redacted>",
        "access_key_id: abc              | access_key_id: <redacted>",
        "secret_access_key: abc          | secret_access_key: <redacted>",
        "session_token: abc              | session_token: <redacted>",
        "private_key: abc                | private_key: <redacted>",
        "credentials: abc                | credentials: <redacted>",
        "aws_access_key_id: AKIA123      | aws_access_key_id: <redacted>",
        "aws_secret_access_key: abc      | aws_secret_access_key: <redacted>",
        "db_password: abc                | db_password: <redacted>",
        "client_secret: abc              | client_secret: <redacted>",
        "x-api-key: abc                  | x-api-key: <redacted>",
        "authorization: Bearer abc       | authorization: <redacted>",
        "\"api_key\": abc                | \"api_key\": <redacted>",
        "api_key: &k !!str abc           | api_key: &k !!str <redacted>",
        "max_output_tokens: 16384        | max_output_tokens: 16384",
        "tokens_per_second: 50           | tokens_per_second: 50",
        "auth_header: x-api-key          | auth_header: x-api-key",
        "api_version: 2024-10-21         | api_version: 2024-10-21",
    })
    void valuesOfSecretBearingKeysAreRedacted(String line, String expected) {
        assertRedacts(line, expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "api_key: ${env:OPENAI_API_KEY}                | api_key: ${env:OPENAI_API_KEY}",
        "api_key: '${env:OPENAI_API_KEY}'              | api_key: '${env:OPENAI_API_KEY}'",
        "api_key: \"${file:/run/secrets/openai key}\"  | api_key: \"${file:/run/secrets/openai key}\"",
        "api_key: ${env:OPENAI_API_KEY}x               | api_key: <redacted>",
        "api_key: ${env:sk-proj-pasted-in-by-mistake}  | api_key: <redacted>",
        "api_key: ${env:AKIAIOSFODNN7EXAMPLE}          | api_key: <redacted>",
        "api_key: ${file:relative/path}                | api_key: <redacted>",
        "api_key: ${vault:secret/openai}               | api_key: <redacted>",
        "api_key: \"${env:A\\x42}\"                    | api_key: <redacted>",
    })
    void pureSecretReferencesAreShownAsTheyAre(String line, String expected) {
        assertRedacts(line, expected);
    }

    @Test
    void hashesShowOnlyTheirFirstEightHexDigits() {
        assertRedacts("""
                hash: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
                hash: tg-raw-key-written-by-mistake
                note: sha256:9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08 is mine
                """, """
                hash: "sha256:9f86d081…"
                hash: <redacted>
                note: sha256:9F86D081… is mine
                """);
    }

    @Test
    void urlPasswordsAndSecretQueryParametersAreRedactedAnywhere() {
        assertRedacts("""
                storage:
                  ledger: postgresql://gateway:pa55@db.internal:5432/tollgate?sslmode=require
                  redis: redis://:pw@cache.internal:6379/1
                  other: "https://u:p@q@example.com/x"   # https://admin:hunter2@example.com
                  plain: https://user@example.com/v1 and ftp://example.com:21/x
                base_url: https://h/v1?key=a&api_key=b&token=c&password=d&page=2
                webhook: https://h/hook?sig=e&signature=f&secret=g&x=1
                """, """
                storage:
                  ledger: postgresql://gateway:<redacted>@db.internal:5432/tollgate?sslmode=require
                  redis: redis://:<redacted>@cache.internal:6379/1
                  other: "https://u:<redacted>@example.com/x"   # https://admin:<redacted>@example.com
                  plain: https://user@example.com/v1 and ftp://example.com:21/x
                base_url: https://h/v1?key=<redacted>&api_key=<redacted>&token=<redacted>&password=<redacted>&page=2
                webhook: https://h/hook?sig=<redacted>&signature=<redacted>&secret=<redacted>&x=1
                """);
    }

    @Test
    void listsOfKeysRedactTheirItemsButJudgeVirtualKeysFieldByField() {
        assertRedacts("""
                admin:
                  keys:
                    - "sha256:4f1c0000000000000000000000000000000000000000000000000000000000aa"
                    - ${env:ADMIN_KEY}
                    - tg-pasted-raw-admin-key
                keys:
                - name: support-bot
                  hash: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                  team: support
                  models: [gpt-4o-mini, "claude-*"]
                - { name: batch, hash: "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210" }
                - raw-key-at-the-keys-indent
                """, """
                admin:
                  keys:
                    - "sha256:4f1c0000…"
                    - ${env:ADMIN_KEY}
                    - <redacted>
                keys:
                - name: support-bot
                  hash: sha256:01234567…
                  team: support
                  models: [gpt-4o-mini, "claude-*"]
                - { name: batch, hash: "sha256:fedcba98…" }
                - <redacted>
                """);
    }

    @Test
    void flowCollectionsAreRedactedEntryByEntryEvenOverSeveralLines() {
        assertRedacts("""
                keys: [tg-one, "sha256:0123456789abcdef0123", '${env:K}', { name: n, hash: h }]
                provider: { type: openai, api_key: sk-x, headers: { X-Org: org-1 }, name: shown }
                headers: { X-Org: org-1, X-Team: '${env:TEAM}' }
                multi: { a: 1,
                  api_key: first part
                    second part, b: 2 }   # done
                list: [ { token: "a, b" }, plain ]
                """, """
                keys: [<redacted>, "sha256:01234567…", '${env:K}', { name: n, hash: <redacted> }]
                provider: { type: openai, api_key: <redacted>, headers: { X-Org: <redacted> }, name: shown }
                headers: { X-Org: <redacted>, X-Team: '${env:TEAM}' }
                multi: { a: 1,
                  api_key: <redacted>
                    <redacted>, b: 2 }   # done
                list: [ { token: <redacted> }, plain ]
                """);
    }

    @Test
    void blockValuesUnderSecretKeysAreRedactedAtEveryDepth() {
        assertRedacts("""
                providers:
                  openai:
                    headers:
                      X-Org: org-1
                      Authorization: Bearer abc
                    credentials:
                      user: me
                      list:
                        - a
                        - ${env:B}
                    name: shown
                """, """
                providers:
                  openai:
                    headers:
                      X-Org: <redacted>
                      Authorization: <redacted>
                    credentials:
                      user: <redacted>
                      list:
                        - <redacted>
                        - ${env:B}
                    name: shown
                """);
    }

    @Test
    void blockScalarsUnderSecretKeysRedactEveryContentLineKeepingItsIndent() {
        assertRedacts("""
                private_key: |  # pasted
                  -----BEGIN EC PARAMETERS-----
                    indented more

                  last line
                api_key: >-
                    folded
                note: |
                  text with sk-abcdefghijklmnopqrstu inside
                done: true
                """, """
                private_key: |  # pasted
                  <redacted>
                    <redacted>

                  <redacted>
                api_key: >-
                    <redacted>
                note: |
                  text with <redacted> inside
                done: true
                """);
    }

    @Test
    void multiLineSecretScalarsAreRedactedOnEveryLine() {
        assertRedacts("""
                api_key: "starts here
                  goes on # not a comment
                  ends" # a comment
                token: plain start
                  plain continuation
                shown: yes
                """, """
                api_key: <redacted>
                  <redacted>
                  <redacted> # a comment
                token: <redacted>
                  <redacted>
                shown: yes
                """);
    }

    @Test
    void anAliasUsedAsASecretRedactsItsAnchoredNode() {
        assertRedacts("""
                name: &k not-obviously-a-secret
                block: &b
                  inner: value
                chain: &c [*k, x]
                timeouts: &t { connect: 5s }
                providers:
                  a: { api_key: *k, timeouts: *t }
                  b: { headers: *b }
                  c: { token: *c }
                """, """
                name: &k <redacted>
                block: &b
                  inner: <redacted>
                chain: &c [*k, <redacted>]
                timeouts: &t { connect: 5s }
                providers:
                  a: { api_key: *k, timeouts: *t }
                  b: { headers: *b }
                  c: { token: *c }
                """);
    }

    @Test
    void commentsStayButKeysInThemAreRedactedInPlace() {
        String base64 = "dGhpcyBpcyBub3QgYSByZWFsIGtleSBidXQgbG9va3MgbGlrZSBvbmU";
        assertRedacts("""
                # Tollgate config, see docs/config-reference.md
                # old key: sk-proj-abcdefghijklmnopqrstuvwxyz0123
                model: gpt-4o  # was tg-Qx3vN8pL2mK7rT5wY1zA9cB4dE6fG0hJ
                # aws AKIAIOSFODNN7EXAMPLE, blob %s, hex 0123456789abcdef0123456789abcdef
                # password=hunter2 and "Authorization: Bearer abc.def" and api_key: ${env:OPENAI_API_KEY}
                # a path /var/lib/tollgate/spill and a model anthropic.claude-3-5-sonnet-20241022-v2:0
                # -----BEGIN OPENSSH PRIVATE KEY-----
                # b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
                # QyNTUxOQ
                # -----END OPENSSH PRIVATE KEY-----
                after: shown
                """.formatted(base64), """
                # Tollgate config, see docs/config-reference.md
                # old key: <redacted>
                model: gpt-4o  # was <redacted>
                # aws <redacted>, blob <redacted>, hex <redacted>
                # password=<redacted> and "Authorization: <redacted>" and api_key: ${env:OPENAI_API_KEY}
                # a path /var/lib/tollgate/spill and a model anthropic.claude-3-5-sonnet-20241022-v2:0
                # <redacted>
                # <redacted>
                # <redacted>
                # <redacted>
                after: shown
                """);
    }

    @Test
    void lineBreaksAreKeptExactly() {
        assertRedacts("", "");
        assertRedacts("api_key: x", "api_key: <redacted>");
        assertRedacts("a: 1\r\napi_key: x\r\n\r\n", "a: 1\r\napi_key: <redacted>\r\n\r\n");
        assertRedacts("a: 1\rapi_key: x\u2028token: y\u0085", "a: 1\rapi_key: <redacted>\u2028token: <redacted>\u0085");
    }

    @Test
    void harmlessConfigComesBackUnchanged() {
        String config = """
                server:
                  listen: 0.0.0.0:8080
                  admin_listen: "[::1]:8081"
                providers:
                  openai:
                    type: openai
                    base_url: https://api.openai.com/v1
                    api_key: ${env:OPENAI_API_KEY}
                    timeouts: &t { connect: 5s, first_byte: 60s }
                  bedrock:
                    type: bedrock
                    aws_access_key_id: ${env:AWS_ACCESS_KEY_ID}
                    aws_secret_access_key: ${file:/run/secrets/aws}
                models:
                  gpt-4o-mini:
                    deployments:
                      - { provider: openai, model: gpt-4o-mini, weight: 3 }
                      - provider: bedrock
                        model: anthropic.claude-3-5-haiku-20241022-v1:0
                storage:
                  ledger: postgres://db.internal:5432/tollgate?user=gateway
                budgets:
                  alert_webhook: { url: "https://hooks.example.com/tollgate", authorization: "${env:ORG_TOKEN}" }
                """;
        assertRedacts(config, config);
    }

    /** Random configs with secrets planted in every supported place: none survives, every harmless value does. */
    @Test
    void plantedSecretsNeverSurviveAndLinesStayPut() {
        var random = new Random(20_250_907L);
        for (int round = 0; round < 400; round++) {
            var config = new GeneratedConfig(random);
            String text = config.text();
            String redacted = Redaction.redact(text);
            assertThat(lineBreaks(redacted)).as("line breaks of round %d", round).isEqualTo(lineBreaks(text));
            for (String secret : config.secrets) {
                for (int i = 0; i + WINDOW <= secret.length(); i++) {
                    String piece = secret.substring(i, i + WINDOW);
                    assertThat(redacted).as("round %d, secret %s in\n%s", round, secret, text).doesNotContain(piece);
                }
            }
            for (String visible : config.visible) {
                assertThat(redacted).as("round %d:\n%s", round, redacted).contains(visible);
            }
        }
    }

    @Test
    void anyTextIsAcceptedAndKeepsItsLines() {
        var random = new Random(77L);
        String alphabet = ":-{}[],&*!|>'\"#%@`?~<=^\n\r\t $\\0123456789abcxyzKMGiB./_skAKI"
                + "\u0000\u0085\u2028\uFEFF\uD800\u00e9";
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int round = 0; round < 3000; round++) {
                String text;
                if (round % 2 == 0) {
                    var garbage = new StringBuilder();
                    for (int i = random.nextInt(300); i > 0; i--) {
                        garbage.append(alphabet.charAt(random.nextInt(alphabet.length())));
                    }
                    text = garbage.toString();
                } else {
                    text = mutate(new GeneratedConfig(random).text(), alphabet, random);
                }
                assertThat(lineBreaks(Redaction.redact(text))).as("%s", text).isEqualTo(lineBreaks(text));
            }
        });
    }

    private static final int WINDOW = 10;
    private static final Pattern LINE_BREAK = Pattern.compile("\r\n|[\n\r\u0085\u2028\u2029]");

    private static List<String> lineBreaks(String text) {
        var breaks = new ArrayList<String>();
        Matcher m = LINE_BREAK.matcher(text);
        while (m.find()) {
            breaks.add(m.group());
        }
        return breaks;
    }

    private static String mutate(String text, String alphabet, Random random) {
        var out = new StringBuilder(text);
        for (int m = 1 + random.nextInt(6); m > 0 && !out.isEmpty(); m--) {
            int at = random.nextInt(out.length());
            char c = alphabet.charAt(random.nextInt(alphabet.length()));
            switch (random.nextInt(3)) {
                case 0 -> out.deleteCharAt(at);
                case 1 -> out.insert(at, c);
                default -> out.setCharAt(at, c);
            }
        }
        return out.toString();
    }

    /**
     * A config assembled from snippets at random depths, recording each planted secret (as written in the file)
     * and each harmless value that must stay visible.
     */
    private static final class GeneratedConfig {
        private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        private static final String HEX = "0123456789abcdef";
        private static final List<String> SECRET_KEYS = List.of("api_key", "API_KEY", "Api-Key", "apiKey",
                "password", "db_password", "client_secret", "auth_token", "session_token", "aws_secret_access_key",
                "aws_access_key_id", "private_key", "credentials", "key", "token", "secret", "x-api-key",
                "authorization", "\"api_key\"");

        final List<String> secrets = new ArrayList<>();
        final List<String> visible = new ArrayList<>();
        private final Random random;
        private final List<String> lines = new ArrayList<>();
        private final boolean crlf;
        private final boolean trailingNewline;

        GeneratedConfig(Random random) {
            this.random = random;
            this.crlf = random.nextInt(4) == 0;
            this.trailingNewline = random.nextInt(5) != 0;
            List<BiConsumer<GeneratedConfig, String>> snippets = List.of(
                    GeneratedConfig::secretScalar, GeneratedConfig::headers, GeneratedConfig::keyList,
                    GeneratedConfig::virtualKeys, GeneratedConfig::urls, GeneratedConfig::blockScalar,
                    GeneratedConfig::comments, GeneratedConfig::privateKeyInComments,
                    GeneratedConfig::multiLineQuoted, GeneratedConfig::alias, GeneratedConfig::flowMapping,
                    GeneratedConfig::harmless);
            for (int s = 3 + random.nextInt(12); s > 0; s--) {
                String indent = "";
                if (random.nextBoolean()) {
                    lines.add("section_" + s + ":");
                    indent = " ".repeat(1 + random.nextInt(4));
                }
                snippets.get(random.nextInt(snippets.size())).accept(this, indent);
            }
        }

        String text() {
            String end = crlf ? "\r\n" : "\n";
            return String.join(end, lines) + (trailingNewline ? end : "");
        }

        private String secret(int min) {
            var out = new StringBuilder().append(ALNUM.charAt(random.nextInt(52)));
            String chars = ALNUM + "_+/.=-";
            for (int i = min + random.nextInt(24); i > 1; i--) {
                out.append(chars.charAt(random.nextInt(chars.length())));
            }
            return out.toString();
        }

        /** Characters that keys and URL passwords are made of (no / ? # @, which a URL would split at). */
        private String token(int length) {
            var out = new StringBuilder();
            String chars = ALNUM + "_-";
            for (int i = 0; i < length; i++) {
                out.append(chars.charAt(random.nextInt(chars.length())));
            }
            return out.toString();
        }

        /** A secret with characters that only quotes allow, as written inside them (escapes included). */
        private String quotedSecret(char quote) {
            String s = secret(8) + " # :, ]} " + secret(8) + (quote == '"' ? "\\\"" : "''") + secret(4);
            secrets.add(s);
            return quote + s + quote;
        }

        private String planted(String secret) {
            secrets.add(secret);
            return secret;
        }

        private String visible() {
            String v = "vis" + random.nextInt(1_000_000) + "ok";
            visible.add(v);
            return v;
        }

        private String secretKey() {
            return SECRET_KEYS.get(random.nextInt(SECRET_KEYS.size()));
        }

        private void secretScalar(String in) {
            String value = switch (random.nextInt(4)) {
                case 0 -> planted(secret(16));
                case 1 -> quotedSecret('"');
                case 2 -> quotedSecret('\'');
                default -> "&a" + random.nextInt(9) + " !!str " + planted(secret(16));
            };
            lines.add(in + secretKey() + ": " + value + (random.nextBoolean() ? "  # " + visible() : ""));
        }

        private void headers(String in) {
            if (random.nextBoolean()) {
                lines.add(in + "headers:");
                lines.add(in + "  X-Org: " + planted(secret(16)));
                lines.add(in + "  X-Team: \"" + planted(secret(16)) + "\"");
                lines.add(in + "  X-Ref: ${env:TEAM_" + visible() + "}");
            } else {
                lines.add(in + "headers: { X-Org: " + planted(secret(16)) + ", X-Ref: '${env:" + visible() + "}' }");
            }
        }

        private void keyList(String in) {
            String hash = hash();
            if (random.nextBoolean()) {
                String item = in + (random.nextBoolean() ? "  " : "") + "- ";
                lines.add(in + "keys:");
                lines.add(item + planted("tg-" + secret(40)));
                lines.add(item + planted(secret(16)));
                lines.add(item + "\"sha256:" + hash + "\"");
                lines.add(item + "${env:" + visible() + "}");
            } else {
                lines.add(in + "keys: [" + planted(secret(16)) + ", 'sha256:" + hash + "', '${env:" + visible()
                        + "}']");
            }
        }

        /** A 64-digit hash whose digits past the eighth must not show. */
        private String hash() {
            var hash = new StringBuilder();
            for (int i = 0; i < 64; i++) {
                hash.append(HEX.charAt(random.nextInt(16)));
            }
            secrets.add(hash.substring(8));
            return hash.toString();
        }

        private void virtualKeys(String in) {
            lines.add(in + "keys:");
            lines.add(in + "  - name: " + visible());
            lines.add(in + "    hash: sha256:" + hash());
            lines.add(in + "    team: " + visible());
            lines.add(in + "  - { name: " + visible() + ", hash: \"sha256:" + hash() + "\" }");
        }

        private void urls(String in) {
            lines.add(in + "ledger: postgresql://" + visible() + ":" + planted(token(16)) + "@db:5432/tollgate");
            lines.add(in + "redis: redis://:" + planted(token(16)) + "@cache:6379/0");
            lines.add(in + "base_url: \"https://" + visible() + ".example.com/v1?api_key=" + planted(secret(16))
                    + "&sig=" + planted(secret(16)) + "\"");
        }

        private void blockScalar(String in) {
            lines.add(in + secretKey() + ": " + (random.nextBoolean() ? "|" : ">-"));
            for (int i = 1 + random.nextInt(4); i > 0; i--) {
                String deeper = in + "  " + " ".repeat(random.nextInt(3));
                lines.add(random.nextInt(4) == 0 ? "" : deeper + planted(secret(12)));
            }
        }

        private void comments(String in) {
            lines.add(in + "# " + visible() + " sk-" + planted(token(30)));
            lines.add(in + "model: " + visible() + "  # tg-" + planted(token(43)));
            lines.add(in + "# AKIA" + planted(upperAlnum(16)) + " and " + planted(mixedBase64(40)));
            lines.add(in + "# token=" + planted(secret(16)) + " " + planted(hex(40)));
        }

        private void privateKeyInComments(String in) {
            lines.add(in + "# -----BEGIN RSA PRIVATE KEY-----");
            lines.add(in + "# " + planted(mixedBase64(64)));
            // The last line of a key is short: only the BEGIN ... END span catches it.
            lines.add(in + "# " + planted(secret(12)));
            lines.add(in + "# -----END RSA PRIVATE KEY-----");
            lines.add(in + "after_block: " + visible());
        }

        private void multiLineQuoted(String in) {
            lines.add(in + secretKey() + ": \"" + planted(secret(12)));
            lines.add(in + "  " + planted(secret(12)) + " # " + planted(secret(12)));
            lines.add(in + "  " + planted(secret(12)) + "\"  # " + visible());
        }

        private void alias(String in) {
            String anchor = "x" + random.nextInt(1000);
            lines.add(in + "label: &" + anchor + " " + planted(secret(16)));
            lines.add(in + secretKey() + ": *" + anchor);
        }

        private void flowMapping(String in) {
            lines.add(in + "provider: { type: " + visible() + ", " + secretKey() + ": " + planted(secret(16))
                    + ", nested: { token: '" + planted(secret(16)) + "' }, name: " + visible() + " }");
        }

        private void harmless(String in) {
            lines.add(in + "model: " + visible());
            lines.add(in + "base_url: https://" + visible() + ".example.com/v1?page=" + visible());
            lines.add(in + "timeouts: { connect: 5s, name: " + visible() + " }");
            lines.add(in + "# " + visible());
        }

        private String upperAlnum(int length) {
            var out = new StringBuilder();
            for (int i = 0; i < length; i++) {
                out.append(ALNUM.charAt(random.nextInt(26)));
            }
            return out.toString();
        }

        /** Base64 with upper case, lower case and a digit for sure. */
        private String mixedBase64(int length) {
            var out = new StringBuilder("Aa0");
            for (int i = 3; i < length; i++) {
                out.append((ALNUM + "+/").charAt(random.nextInt(64)));
            }
            return out.toString();
        }

        private String hex(int length) {
            var out = new StringBuilder();
            for (int i = 0; i < length; i++) {
                out.append(HEX.charAt(random.nextInt(16)));
            }
            return out.toString();
        }
    }
}
