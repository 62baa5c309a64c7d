package dev.tollgate.config;

import static dev.tollgate.config.Fixtures.loaded;
import static dev.tollgate.config.Fixtures.loader;
import static dev.tollgate.config.Fixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of problem and warning the binder reports, with its exact text and position. */
class ProblemMessagesTest {

    record Case(String name, String yaml, List<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** {@code MINIMAL} with {@code providerLines} added to the openai provider. */
    private static String provider(String providerLines) {
        return """
                providers:
                  openai:
                    type: openai
                    base_url: https://api.openai.com/v1
                """ + providerLines.indent(4) + """
                models:
                  gpt-4o-mini:
                    deployments:
                      - provider: openai
                """;
    }

    /** {@code MINIMAL} with a {@code server} section holding {@code serverLines}. */
    private static String server(String serverLines) {
        return "server:\n" + serverLines.indent(2) + Fixtures.MINIMAL;
    }

    /** A mock provider {@code demo} holding {@code lines}, used by model {@code m}. */
    private static String mock(String lines) {
        return """
                providers:
                  demo:
                    type: mock
                """ + lines.indent(4) + """
                models:
                  m:
                    deployments: [{ provider: demo }]
                """;
    }

    /** A provider {@code p} of {@code type} holding {@code lines} (from line 4), used by model {@code m}. */
    private static String typed(String type, String lines) {
        return """
                providers:
                  p:
                    type: %s
                """.formatted(type) + lines.indent(4) + """
                models:
                  m:
                    deployments: [{ provider: p }]
                """;
    }

    /** A bedrock provider {@code p} holding {@code lines} (from line 4) followed by its two credentials. */
    private static String bedrock(String lines) {
        return typed("bedrock", lines + "\naws_access_key_id: ${env:AWS_ACCESS_KEY_ID}\naws_secret_access_key: ${env:AWS_SECRET_ACCESS_KEY}");
    }

    private static final String HASH_A = "sha256:" + "a".repeat(64);
    private static final String HASH_B = "sha256:" + "b".repeat(64);

    /** {@code MINIMAL} followed (from line 9) by {@code lines}, where HASH_A and HASH_B stand for two valid hashes. */
    private static String access(String lines) {
        return Fixtures.MINIMAL + lines.replace("HASH_A", HASH_A).replace("HASH_B", HASH_B);
    }

    /** One model {@code m} whose body is {@code modelLines}, next to provider openai. */
    private static String model(String modelLines) {
        return """
                providers:
                  openai: { type: openai, base_url: https://api.openai.com/v1 }
                models:
                  m:
                """ + modelLines.indent(4);
    }

    static Stream<Case> cases() {
        return Stream.of(
                // Unknown keys, with and without a suggestion.
                new Case("unknown root key", "servr: {}\n" + Fixtures.MINIMAL,
                        List.of("t.yaml:1:1: servr: unknown key 'servr' (did you mean 'server'?)")),
                new Case("unknown provider key", provider("base_ur: https://x"),
                        List.of("t.yaml:5:5: providers.openai.base_ur: unknown key 'base_ur' (did you mean 'base_url'?)")),
                new Case("camelCase key", provider("authHeader: api-key"),
                        List.of("t.yaml:5:5: providers.openai.authHeader: unknown key 'authHeader' (did you mean 'auth_header'?)")),
                new Case("unknown key, nothing close", server("colour: red"),
                        List.of("t.yaml:2:3: server.colour: unknown key 'colour'; valid keys: access_log, admin_listen, "
                                + "audit_log, idle_timeout, io_threads, listen, log_level, max_connections, "
                                + "max_header_bytes, max_headers, max_request_bytes, max_response_bytes, max_streams, "
                                + "max_uri_bytes, request_body_timeout, request_header_timeout, shutdown_delay, "
                                + "shutdown_grace, stream_keep_alive, watch_config")),
                new Case("unknown deployment key", model("deployments:\n  - { provider: openai, modle: x }"),
                        List.of("t.yaml:6:29: models.m.deployments[0].modle: unknown key 'modle' (did you mean 'model'?)")),

                // Missing and empty.
                new Case("empty file", "", List.of(
                        "t.yaml:1:1: providers: required key is missing",
                        "t.yaml:1:1: models: required key is missing")),
                new Case("missing type", "providers:\n  openai:\n    base_url: https://x\nmodels:\n  m: { deployments: [{ provider: openai }] }\n",
                        List.of("t.yaml:3:5: providers.openai.type: required key is missing")),
                new Case("missing base_url", "providers:\n  openai:\n    type: openai\nmodels:\n  m: { deployments: [{ provider: openai }] }\n",
                        List.of("t.yaml:3:5: providers.openai.base_url: required key is missing")),
                new Case("missing value", provider("auth_header:"),
                        List.of("t.yaml:5:17: providers.openai.auth_header: missing value (remove the key to use the default)")),
                new Case("no providers", "providers: {}\nmodels:\n  m: { deployments: [{ provider: openai }] }\n", List.of(
                        "t.yaml:1:12: providers: at least one provider is required",
                        "t.yaml:3:34: models.m.deployments[0].provider: unknown provider 'openai'")),
                new Case("no models", "providers:\n  openai: { type: openai, base_url: https://x }\nmodels:\n",
                        List.of("t.yaml:3:8: models: at least one model is required")),
                new Case("no deployments", model("deployments: []"),
                        List.of("t.yaml:5:18: models.m.deployments: a model needs at least one deployment")),
                new Case("deployments missing", model("mode: chat"),
                        List.of("t.yaml:5:5: models.m.deployments: required key is missing")),
                new Case("deployment without provider", model("deployments: [{ model: x }]"),
                        List.of("t.yaml:5:19: models.m.deployments[0].provider: required key is missing")),

                // Wrong kinds of value.
                new Case("section is not a mapping", "server: 5\n" + Fixtures.MINIMAL,
                        List.of("t.yaml:1:9: server: expected a mapping, got a whole number")),
                new Case("root is a list", "- a\n- b\n",
                        List.of("t.yaml:1:1: expected a mapping, got a list")),
                new Case("deployments not a list", model("deployments: { provider: openai }"),
                        List.of("t.yaml:5:18: models.m.deployments: expected a list, got a mapping")),
                new Case("string expected", provider("auth_header: [a, b]"),
                        List.of("t.yaml:5:18: providers.openai.auth_header: expected a header name, got a list")),
                new Case("whole number expected", server("io_threads: many"),
                        List.of("t.yaml:2:15: server.io_threads: expected a whole number, got 'many'")),
                new Case("quoted number", server("io_threads: \"4\""),
                        List.of("t.yaml:2:15: server.io_threads: expected a whole number, got '4' (remove the quotes)")),
                new Case("fraction for a whole number", mock("mock: { chunks: 1.5 }"),
                        List.of("t.yaml:4:21: providers.demo.mock.chunks: expected a whole number, got '1.5'")),
                new Case("yes is not a boolean", server("access_log: yes"),
                        List.of("t.yaml:2:15: server.access_log: expected true or false, got 'yes'")),
                new Case("unknown log level", server("log_level: verbose"),
                        List.of("t.yaml:2:14: server.log_level: unknown log level 'verbose'; expected debug, info, "
                                + "warn or error")),
                new Case("number expected", mock("mock: { tokens_per_second: fast }"),
                        List.of("t.yaml:4:32: providers.demo.mock.tokens_per_second: expected a number, got 'fast'")),

                // Ranges.
                new Case("integer below range", server("io_threads: -1"),
                        List.of("t.yaml:2:15: server.io_threads: must be between 0 and 1024, got -1")),
                new Case("weight zero", model("deployments: [{ provider: openai, weight: 0 }]"),
                        List.of("t.yaml:5:47: models.m.deployments[0].weight: must be between 1 and 10000, got 0")),
                new Case("rate above one", mock("mock: { faults: { error_rate: 1.5 } }"),
                        List.of("t.yaml:4:35: providers.demo.mock.faults.error_rate: must be between 0 and 1, got 1.5")),
                new Case("error status not an error", mock("mock: { faults: { error_status: 200 } }"),
                        List.of("t.yaml:4:37: providers.demo.mock.faults.error_status: must be between 400 and 599, got 200")),
                new Case("number too large", mock("mock: { seed: 99999999999999999999 }"),
                        List.of("t.yaml:4:19: providers.demo.mock.seed: number '99999999999999999999' is too large")),

                // Durations and sizes.
                new Case("duration without unit", server("stream_keep_alive: 15"),
                        List.of("t.yaml:2:22: server.stream_keep_alive: expected a duration such as 250ms, 15s, 10m "
                                + "or 1h, got '15' (a number needs a unit: 15s or 15ms)")),
                new Case("duration with a bad unit", provider("timeouts: { connect: 5sec }"),
                        List.of("t.yaml:5:26: providers.openai.timeouts.connect: expected a duration such as 250ms, "
                                + "15s, 10m or 1h, got '5sec'")),
                new Case("zero timeout", provider("timeouts: { overall: 0 }"),
                        List.of("t.yaml:5:26: providers.openai.timeouts.overall: must be at least 1ms, got 0")),
                new Case("keep-alive too short", server("stream_keep_alive: 100ms"),
                        List.of("t.yaml:2:22: server.stream_keep_alive: must be at least 1s, got 100ms")),
                new Case("read timeout too short", server("request_header_timeout: 10ms"),
                        List.of("t.yaml:2:27: server.request_header_timeout: must be at least 100ms, got 10ms")),
                new Case("too few headers allowed", server("max_headers: 8"),
                        List.of("t.yaml:2:16: server.max_headers: must be between 16 and 2147483647, got 8")),
                new Case("size with lower-case unit", server("max_request_bytes: 10mib"),
                        List.of("t.yaml:2:22: server.max_request_bytes: expected a size such as 16KiB, 10MiB or "
                                + "1048576 (units: B, KiB, MiB, GiB, KB, MB, GB), got '10mib'")),
                new Case("size without unit is bytes", server("max_request_bytes: 10"),
                        List.of("t.yaml:2:22: server.max_request_bytes: must be at least 1KiB, got 10")),
                new Case("size overflow", server("max_response_bytes: 99999999999GiB"),
                        List.of("t.yaml:2:23: server.max_response_bytes: size '99999999999GiB' is too large")),
                new Case("int size above range", server("max_header_bytes: 4GiB"),
                        List.of("t.yaml:2:21: server.max_header_bytes: must be between 1KiB and 2147483647B, got 4GiB")),

                // Listen addresses.
                new Case("listen without port", server("listen: 8080"),
                        List.of("t.yaml:2:11: server.listen: expected host:port such as 0.0.0.0:8080 or [::1]:8080, got '8080'")),
                new Case("port out of range", server("listen: 0.0.0.0:70000"),
                        List.of("t.yaml:2:11: server.listen: port 70000 is out of range 0..65535 in '0.0.0.0:70000'")),
                new Case("IPv6 without brackets", server("listen: ::1:8080"),
                        List.of("t.yaml:2:11: server.listen: an IPv6 address goes in brackets, as in [::1]:8080, got '::1:8080'")),
                new Case("listeners share a port", server("listen: 0.0.0.0:9000\nadmin_listen: 127.0.0.1:9000"),
                        List.of("t.yaml:3:17: server.admin_listen: port 9000 is already taken by listen (0.0.0.0:9000); pick another port")),

                // Providers.
                new Case("bad provider id", "providers:\n  Open AI: { type: openai, base_url: https://x }\nmodels:\n  m: { deployments: [{ provider: Open AI }] }\n",
                        List.of("t.yaml:2:3: providers.Open AI: provider id 'Open AI' must start with a lower-case letter "
                                + "or digit and use only a-z, 0-9, '.', '_' and '-'")),
                new Case("unknown type", "providers:\n  openai: { type: opneai, base_url: https://x }\nmodels:\n  m: { deployments: [{ provider: openai }] }\n",
                        List.of("t.yaml:2:19: providers.openai.type: unknown provider type 'opneai' (did you mean 'openai'?); "
                                + "known types: anthropic, azure-openai, bedrock, gemini, mock, openai")),
                new Case("unknown type, nothing close", "providers:\n  openai: { type: cohere, base_url: https://x }\nmodels:\n  m: { deployments: [{ provider: openai }] }\n",
                        List.of("t.yaml:2:19: providers.openai.type: unknown provider type 'cohere'; "
                                + "known types: anthropic, azure-openai, bedrock, gemini, mock, openai")),
                new Case("unknown type checks no type's rules", typed("antropic", "api_version: 2023-06-01"),
                        List.of("t.yaml:3:11: providers.p.type: unknown provider type 'antropic' (did you mean 'anthropic'?); "
                                + "known types: anthropic, azure-openai, bedrock, gemini, mock, openai")),
                new Case("base_url not http", provider("").replace("https://api.openai.com/v1", "ftp://files.example.com/v1"),
                        List.of("t.yaml:4:15: providers.openai.base_url: expected an absolute http or https URL, such as https://api.openai.com/v1")),
                new Case("base_url relative", provider("").replace("https://api.openai.com/v1", "/v1"),
                        List.of("t.yaml:4:15: providers.openai.base_url: expected an absolute http or https URL, such as https://api.openai.com/v1")),
                new Case("base_url with user info", provider("").replace("https://api.openai.com/v1", "https://me:pw@api.openai.com/v1"),
                        List.of("t.yaml:4:15: providers.openai.base_url: must not contain user info; put credentials in api_key or headers")),
                new Case("base_url with query", provider("").replace("https://api.openai.com/v1", "https://api.openai.com/v1?a=1"),
                        List.of("t.yaml:4:15: providers.openai.base_url: must not have a query (?...): the gateway appends API paths to it")),
                new Case("base_url with fragment", provider("").replace("https://api.openai.com/v1", "https://api.openai.com/v1#top"),
                        List.of("t.yaml:4:15: providers.openai.base_url: must not have a fragment (#...)")),
                new Case("base_url without host", provider("").replace("https://api.openai.com/v1", "https:///v1"),
                        List.of("t.yaml:4:15: providers.openai.base_url: has no valid host name")),
                new Case("base_url unparsable", provider("").replace("https://api.openai.com/v1", "https://api openai.com"),
                        List.of("t.yaml:4:15: providers.openai.base_url: not a valid URL: Illegal character in authority at index 11")),
                new Case("reference outside a secret field", provider("").replace("https://api.openai.com/v1", "${env:OPENAI_URL}"),
                        List.of("t.yaml:4:15: providers.openai.base_url: secret references (${...}) are only allowed in "
                                + "api_key, aws_access_key_id, aws_secret_access_key, aws_session_token, header values, "
                                + "storage.ledger, storage.redis and alert_webhook.authorization")),
                new Case("base_url on a mock", mock("base_url: http://127.0.0.1:9/v1"),
                        List.of("t.yaml:4:5: providers.demo.base_url: not allowed for a mock provider: the gateway runs the mock server itself")),
                new Case("api_key on a mock", mock("api_key: ${env:OPENAI_API_KEY}"),
                        List.of("t.yaml:4:5: providers.demo.api_key: not allowed for a mock provider: the gateway runs the mock server itself")),
                new Case("mock settings on a real provider", provider("mock: { chunks: 2 }"),
                        List.of("t.yaml:5:5: providers.openai.mock: not allowed unless type is mock")),
                new Case("reserved header", provider("headers: { Content-Length: '5' }"),
                        List.of("t.yaml:5:16: providers.openai.headers.Content-Length: header Content-Length is set by the gateway itself")),
                new Case("invalid header name", provider("headers: { \"X Org\": a }"),
                        List.of("t.yaml:5:16: providers.openai.headers.X Org: 'X Org' is not a valid HTTP header name")),
                new Case("header repeated in another case", provider("headers: { X-Org: a, x-org: b }"),
                        List.of("t.yaml:5:26: providers.openai.headers.x-org: header x-org repeats X-Org (header names ignore case)")),
                new Case("header where the key goes", provider("api_key: ${env:OPENAI_API_KEY}\nheaders: { Authorization: x }"),
                        List.of("t.yaml:6:16: providers.openai.headers.Authorization: header Authorization is where "
                                + "api_key goes (auth_header); set one or the other")),
                new Case("header value not a string", provider("headers: { X-Org: { a: 1 } }"),
                        List.of("t.yaml:5:23: providers.openai.headers.X-Org: expected a string, got a mapping")),
                new Case("reserved auth header", provider("api_key: ${env:OPENAI_API_KEY}\nauth_header: host"),
                        List.of("t.yaml:6:18: providers.openai.auth_header: header host is set by the gateway itself")),

                // Rules by provider type.
                new Case("azure-openai without base_url", typed("azure-openai", "api_key: ${env:AZURE_OPENAI_API_KEY}\napi_version: 2024-10-21"),
                        List.of("t.yaml:3:5: providers.p.base_url: required key is missing")),
                new Case("azure-openai without api_version", typed("azure-openai", "base_url: https://r.openai.azure.com\napi_key: ${env:AZURE_OPENAI_API_KEY}"),
                        List.of("t.yaml:3:5: providers.p.api_version: required key is missing")),
                new Case("api_version on openai", provider("api_version: 2024-10-21"),
                        List.of("t.yaml:5:5: providers.openai.api_version: not allowed for type openai: api_version is for "
                                + "anthropic and azure-openai providers only")),
                new Case("api_version on gemini", typed("gemini", "api_key: ${env:GEMINI_API_KEY}\napi_version: v1"),
                        List.of("t.yaml:5:5: providers.p.api_version: not allowed for type gemini: api_version is for "
                                + "anthropic and azure-openai providers only")),
                new Case("api_version on a mock", mock("api_version: 2024-10-21"),
                        List.of("t.yaml:4:5: providers.demo.api_version: not allowed for type mock: api_version is for "
                                + "anthropic and azure-openai providers only")),
                new Case("api_version malformed", typed("anthropic", "api_key: ${env:ANTHROPIC_API_KEY}\napi_version: 2023 06 01"),
                        List.of("t.yaml:5:18: providers.p.api_version: expected an API version such as 2024-10-21 "
                                + "(letters, digits, '.', '_' and '-')")),
                new Case("api_version not a string", typed("anthropic", "api_key: ${env:ANTHROPIC_API_KEY}\napi_version: [a]"),
                        List.of("t.yaml:5:18: providers.p.api_version: expected an API version, got a list")),
                new Case("bedrock without region or credentials", typed("bedrock", ""), List.of(
                        "t.yaml:3:5: providers.p.region: required key is missing",
                        "t.yaml:3:5: providers.p.aws_access_key_id: required key is missing",
                        "t.yaml:3:5: providers.p.aws_secret_access_key: required key is missing")),
                new Case("region malformed", bedrock("region: US-East-1"),
                        List.of("t.yaml:4:13: providers.p.region: expected an AWS region such as us-east-1 "
                                + "(lower-case letters, digits and '-')")),
                new Case("region as a reference", bedrock("region: ${env:AWS_REGION}"),
                        List.of("t.yaml:4:13: providers.p.region: secret references (${...}) are only allowed in "
                                + MappingReader.SECRET_FIELDS)),
                new Case("region misspelt", bedrock("aws_region: us-east-1"),
                        List.of("t.yaml:3:5: providers.p.region: required key is missing",
                                "t.yaml:4:5: providers.p.aws_region: unknown key 'aws_region' (did you mean 'region'?)")),
                new Case("region on openai", provider("region: us-east-1"),
                        List.of("t.yaml:5:5: providers.openai.region: not allowed for type openai: region is for bedrock providers only")),
                new Case("AWS credentials on anthropic", typed("anthropic", """
                        api_key: ${env:ANTHROPIC_API_KEY}
                        aws_access_key_id: ${env:AWS_ACCESS_KEY_ID}
                        aws_secret_access_key: ${env:AWS_SECRET_ACCESS_KEY}
                        aws_session_token: ${env:AWS_SESSION_TOKEN}"""), List.of(
                        "t.yaml:5:5: providers.p.aws_access_key_id: not allowed for type anthropic: aws_access_key_id is for bedrock providers only",
                        "t.yaml:6:5: providers.p.aws_secret_access_key: not allowed for type anthropic: aws_secret_access_key is for bedrock providers only",
                        "t.yaml:7:5: providers.p.aws_session_token: not allowed for type anthropic: aws_session_token is for bedrock providers only")),
                new Case("api_key and auth_header on bedrock", bedrock("region: us-east-1\napi_key: ${env:OPENAI_API_KEY}\nauth_header: x-api-key"), List.of(
                        "t.yaml:5:5: providers.p.api_key: not allowed for type bedrock: requests are signed with "
                                + "aws_access_key_id and aws_secret_access_key instead",
                        "t.yaml:6:5: providers.p.auth_header: not allowed for type bedrock: requests are signed with "
                                + "aws_access_key_id and aws_secret_access_key instead")),
                new Case("unset AWS secret", bedrock("region: us-east-1").replace("${env:AWS_SECRET_ACCESS_KEY}", "${env:AWS_SECRET}"),
                        List.of("t.yaml:6:28: providers.p.aws_secret_access_key: environment variable AWS_SECRET is not set "
                                + "(referenced as ${env:AWS_SECRET})")),
                new Case("AWS secret not a string", bedrock("region: us-east-1\naws_session_token: [a]"),
                        List.of("t.yaml:5:24: providers.p.aws_session_token: expected a string, got a list")),
                new Case("header that AWS signing writes", bedrock("region: us-east-1\nheaders: { X-Amz-Date: '20250101T000000Z', Authorization: x }"), List.of(
                        "t.yaml:5:16: providers.p.headers.X-Amz-Date: header X-Amz-Date is written by the gateway for type "
                                + "bedrock: it is part of the AWS request signature",
                        "t.yaml:5:48: providers.p.headers.Authorization: header Authorization is written by the gateway for "
                                + "type bedrock: it is part of the AWS request signature")),
                new Case("anthropic-version as a header", typed("anthropic", "api_key: ${env:ANTHROPIC_API_KEY}\nheaders: { anthropic-version: '2023-06-01' }"),
                        List.of("t.yaml:5:16: providers.p.headers.anthropic-version: header anthropic-version is written by "
                                + "the gateway for type anthropic: set api_version instead")),
                new Case("header where the type's default key header is", typed("gemini", "api_key: ${env:GEMINI_API_KEY}\nheaders: { X-Goog-Api-Key: x }"),
                        List.of("t.yaml:5:16: providers.p.headers.X-Goog-Api-Key: header X-Goog-Api-Key is where api_key goes "
                                + "(auth_header); set one or the other")),
                new Case("camelCase apiVersion", typed("anthropic", "api_key: ${env:ANTHROPIC_API_KEY}\napiVersion: 2023-06-01"),
                        List.of("t.yaml:5:5: providers.p.apiVersion: unknown key 'apiVersion' (did you mean 'api_version'?)")),

                // Models.
                new Case("unknown provider", model("deployments: [{ provider: opnai }]"),
                        List.of("t.yaml:5:31: models.m.deployments[0].provider: unknown provider 'opnai' (did you mean 'openai'?)")),
                new Case("unknown mode", model("mode: chta\ndeployments: [{ provider: openai }]"),
                        List.of("t.yaml:5:11: models.m.mode: unknown mode 'chta' (did you mean 'chat'?); expected chat or embeddings")),
                new Case("repeated deployment", model("deployments:\n  - { provider: openai, model: a }\n  - { provider: openai, model: a }"),
                        List.of("t.yaml:7:9: models.m.deployments[1]: same provider and model as deployments[0]; give that one more weight instead")),
                new Case("empty upstream model", model("deployments: [{ provider: openai, model: '' }]"),
                        List.of("t.yaml:5:46: models.m.deployments[0].model: an upstream model name cannot be empty")),
                new Case("reserved model name", model("deployments: [{ provider: openai }]").replace("  m:", "  auto:"),
                        List.of("t.yaml:4:3: models.auto: 'auto' is reserved: clients send it to let the gateway pick a model")),
                new Case("model name with a space", model("deployments: [{ provider: openai }]").replace("  m:", "  \"gpt 4\":"),
                        List.of("t.yaml:4:3: models.gpt 4: a model name cannot contain spaces or control characters")),
                new Case("empty model name", model("deployments: [{ provider: openai }]").replace("  m:", "  \"\":"),
                        List.of("t.yaml:4:3: models.: a model name cannot be empty")),

                // Keys, teams, limits, budgets, prices and storage.
                new Case("unknown key in a key entry", access("""
                        keys:
                          - { name: bot, hash: "HASH_A", tema: support }
                        """), List.of(
                        "t.yaml:10:99: keys[0].tema: unknown key 'tema' (did you mean 'team'?)")),
                new Case("metadata too big", access("""
                        teams:
                          t: { metadata: { note: "%s" } }
                        """.formatted("x".repeat(300))), List.of(
                        "t.yaml:10:26: teams.t.metadata.note: names and values are at most 256 characters")),
                new Case("raw admin key", access("""
                        admin: { keys: [tg-0123456789abcdefghijklmnopqrstuvwxyzABCDEFG] }
                        """), List.of(
                        "t.yaml:9:17: admin.keys[0]: expected sha256:<64 hex digits> or a ${env:NAME} / ${file:/path} reference; a raw admin key never goes in the file")),
                new Case("admin keys twice, empty, unset", access("""
                        admin:
                          keys: ["HASH_A", "HASH_A", "${env:NOPE_ADMIN}"]
                        """), List.of(
                        "t.yaml:10:85: admin.keys[1]: the same admin key is listed twice",
                        "t.yaml:10:160: admin.keys[2]: environment variable NOPE_ADMIN is not set (referenced as ${env:NOPE_ADMIN})")),
                new Case("empty admin key list", access("""
                        admin: { keys: [] }
                        """), List.of(
                        "t.yaml:9:16: admin.keys: an empty list leaves the admin API closed; remove admin instead")),
                new Case("raw key in hash", access("""
                        keys:
                          - name: bot
                            hash: tg-0123456789abcdefghijklmnopqrstuvwxyzABCDEFG
                        """), List.of(
                        "t.yaml:11:11: keys[0].hash: expected the key's SHA-256, not the key itself: sha256:<64 lower-case hex digits> (printf %s \"$KEY\" | sha256sum); a raw key never goes in the file")),
                new Case("raw key in a field of its own", access("""
                        keys:
                          - name: bot
                            key: tg-0123456789abcdefghijklmnopqrstuvwxyzABCDEFG
                        """), List.of(
                        "t.yaml:10:5: keys[0].hash: required key is missing",
                        "t.yaml:11:5: keys[0].key: unknown key 'key': a key is configured by its SHA-256 only, in hash: sha256:<64 lower-case hex digits> (printf %s \"$KEY\" | sha256sum); a raw key never goes in the file")),
                new Case("provider key in a stray field", access("""
                        keys:
                          - name: bot
                            hash: HASH_A
                            opneai: sk-proj-abc
                        """), List.of(
                        "t.yaml:12:5: keys[0].opneai: unknown key 'opneai': a key is configured by its SHA-256 only, in hash: sha256:<64 lower-case hex digits> (printf %s \"$KEY\" | sha256sum); a raw key never goes in the file")),
                new Case("hash without prefix", access("""
                        keys:
                          - { name: bot, hash: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa }
                        """), List.of(
                        "t.yaml:10:24: keys[0].hash: add the prefix: sha256:<the 64 hex digits>")),
                new Case("hash in upper case", access("""
                        keys:
                          - { name: bot, hash: "sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }
                        """), List.of(
                        "t.yaml:10:24: keys[0].hash: write the hex digits in lower case")),
                new Case("hash too short", access("""
                        keys:
                          - { name: bot, hash: "sha256:abc" }
                        """), List.of(
                        "t.yaml:10:24: keys[0].hash: a SHA-256 is 64 hex digits after sha256:, this has 3 characters")),
                new Case("key without name or hash", access("""
                        keys:
                          - { team: support }
                        teams:
                          support: {}
                        """), List.of(
                        "t.yaml:10:5: keys[0].name: required key is missing",
                        "t.yaml:10:5: keys[0].hash: required key is missing")),
                new Case("key names repeat", access("""
                        keys:
                          - { name: bot, hash: "HASH_A" }
                          - { name: bot, hash: "HASH_B" }
                        """), List.of(
                        "t.yaml:11:13: keys[1].name: key name 'bot' is already used by keys[0]")),
                new Case("key hashes repeat", access("""
                        keys:
                          - { name: a, hash: "HASH_A" }
                          - { name: b, hash: "HASH_A" }
                        """), List.of(
                        "t.yaml:11:22: keys[1].hash: same hash as keys[0]: each key needs its own")),
                new Case("bad key name", access("""
                        keys:
                          - { name: "support bot", hash: "HASH_A" }
                        """), List.of(
                        "t.yaml:10:13: keys[0].name: key name 'support bot' must start with a letter or digit and use only letters, digits, '.', '_' and '-'")),
                new Case("unknown team", access("""
                        keys:
                          - { name: bot, hash: "HASH_A", team: suport }
                        teams:
                          support: {}
                        """), List.of(
                        "t.yaml:10:105: keys[0].team: unknown team 'suport' (did you mean 'support'?)")),
                new Case("unknown model in a key", access("""
                        keys:
                          - { name: bot, hash: "HASH_A", models: [gpt-4o-mni, "claude-*"] }
                        """), List.of(
                        "t.yaml:10:108: keys[0].models[0]: unknown model 'gpt-4o-mni' (did you mean 'gpt-4o-mini'?); list public model names from models, or a prefix ending in *")),
                new Case("star inside a model name", access("""
                        keys:
                          - { name: bot, hash: "HASH_A", models: ["gpt-*-mini"] }
                        """), List.of(
                        "t.yaml:10:108: keys[0].models[0]: '*' may only end a model name, as a prefix (claude-*)")),
                new Case("model listed twice", access("""
                        keys:
                          - { name: bot, hash: "HASH_A", models: [gpt-4o-mini, gpt-4o-mini] }
                        """), List.of(
                        "t.yaml:10:121: keys[0].models[1]: model 'gpt-4o-mini' is listed twice")),
                new Case("empty models list", access("""
                        keys:
                          - { name: bot, hash: "HASH_A", models: [] }
                        """), List.of(
                        "t.yaml:10:107: keys[0].models: an empty list would allow every model; remove the key instead")),
                new Case("unknown endpoint", access("""
                        keys:
                          - { name: bot, hash: "HASH_A", endpoints: [chat, embedding] }
                        """), List.of(
                        "t.yaml:10:117: keys[0].endpoints[1]: unknown endpoint 'embedding' (did you mean 'embeddings'?); expected chat, messages, embeddings, count_tokens, models, feedback")),
                new Case("expires malformed", access("""
                        keys:
                          - { name: bot, hash: "HASH_A", expires: 2027-02-30 }
                        """), List.of(
                        "t.yaml:10:108: keys[0].expires: expected a date such as 2027-01-01 (the start of that day in UTC) or a time with an offset such as 2027-01-01T00:00:00Z, got '2027-02-30'")),
                new Case("expires without offset", access("""
                        keys:
                          - { name: bot, hash: "HASH_A", expires: "2027-01-01T00:00:00" }
                        """), List.of(
                        "t.yaml:10:108: keys[0].expires: expected a date such as 2027-01-01 (the start of that day in UTC) or a time with an offset such as 2027-01-01T00:00:00Z, got '2027-01-01T00:00:00'")),
                new Case("metadata value not a single value", access("""
                        keys:
                          - { name: bot, hash: "HASH_A", metadata: { tags: [a, b] } }
                        """), List.of(
                        "t.yaml:10:117: keys[0].metadata.tags: expected a single value, got a list")),
                new Case("zero limit", access("""
                        teams:
                          support: { limits: { rpm: 0 } }
                        """), List.of(
                        "t.yaml:10:29: teams.support.limits.rpm: must be between 1 and 1000000000000, got 0")),
                new Case("negative tpm", access("""
                        teams:
                          support: { limits: { tpm: -5 } }
                        """), List.of(
                        "t.yaml:10:29: teams.support.limits.tpm: must be between 1 and 1000000000000, got -5")),
                new Case("fractional concurrency", access("""
                        teams:
                          support: { limits: { concurrent: 2.5 } }
                        """), List.of(
                        "t.yaml:10:36: teams.support.limits.concurrent: expected a whole number, got '2.5'")),
                new Case("unknown limit", access("""
                        teams:
                          support: { limits: { rps: 5 } }
                        """), List.of(
                        "t.yaml:10:24: teams.support.limits.rps: unknown key 'rps' (did you mean 'rpm'?)")),
                new Case("bad team name", access("""
                        teams:
                          "support:eu": {}
                        """), List.of(
                        "t.yaml:10:3: teams.support:eu: team name 'support:eu' must start with a letter or digit and use only letters, digits, '.', '_' and '-'")),
                new Case("budget without usd or period", access("""
                        teams:
                          support: { budget: { alerts: [0.5] } }
                        """), List.of(
                        "t.yaml:10:22: teams.support.budget.usd: required key is missing",
                        "t.yaml:10:22: teams.support.budget.period: required key is missing")),
                new Case("budget of zero", access("""
                        teams:
                          support: { budget: { usd: 0, period: daily } }
                        """), List.of(
                        "t.yaml:10:29: teams.support.budget.usd: must be more than 0, got 0")),
                new Case("budget in quotes", access("""
                        teams:
                          support: { budget: { usd: "50", period: daily } }
                        """), List.of(
                        "t.yaml:10:29: teams.support.budget.usd: expected a number, got '50' (remove the quotes)")),
                new Case("budget below a nano-dollar", access("""
                        teams:
                          support: { budget: { usd: 0.0000000001, period: daily } }
                        """), List.of(
                        "t.yaml:10:29: teams.support.budget.usd: has more than 9 decimals (the smallest amount is a nano-dollar), got 0.0000000001")),
                new Case("budget too large", access("""
                        teams:
                          support: { budget: { usd: 1e12, period: daily } }
                        """), List.of(
                        "t.yaml:10:29: teams.support.budget.usd: is too large (at most 9223372036), got 1e12")),
                new Case("unknown period", access("""
                        teams:
                          support: { budget: { usd: 5, period: montly } }
                        """), List.of(
                        "t.yaml:10:40: teams.support.budget.period: unknown period 'montly' (did you mean 'monthly'?); expected daily, weekly, monthly, lifetime")),
                new Case("alert as a percentage", access("""
                        teams:
                          support: { budget: { usd: 5, period: daily, alerts: [50, 80] } }
                        """), List.of(
                        "t.yaml:10:56: teams.support.budget.alerts[0]: an alert is a fraction of the budget above 0 and at most 1 (0.8 fires at 80%), got '50'",
                        "t.yaml:10:60: teams.support.budget.alerts[1]: an alert is a fraction of the budget above 0 and at most 1 (0.8 fires at 80%), got '80'")),
                new Case("alerts not ascending", access("""
                        teams:
                          support: { budget: { usd: 5, period: daily, alerts: [0.8, 0.5, 0.5] } }
                        """), List.of(
                        "t.yaml:10:61: teams.support.budget.alerts[1]: alerts must ascend, each above the one before it",
                        "t.yaml:10:66: teams.support.budget.alerts[2]: alerts must ascend, each above the one before it")),
                new Case("alert of zero", access("""
                        teams:
                          support: { budget: { usd: 5, period: daily, alerts: [0] } }
                        """), List.of(
                        "t.yaml:10:56: teams.support.budget.alerts[0]: an alert is a fraction of the budget above 0 and at most 1 (0.8 fires at 80%), got '0'")),
                new Case("empty alerts", access("""
                        teams:
                          support: { budget: { usd: 5, period: daily, alerts: [] } }
                        """), List.of(
                        "t.yaml:10:55: teams.support.budget.alerts: an empty list fires no alert; remove the key instead")),
                new Case("per_user budget problems", access("""
                        keys:
                          - name: bot
                            hash: "HASH_A"
                            per_user: { limits: { rpm: 0 }, budget: { usd: 2 }, limit: {} }
                        """), List.of(
                        "t.yaml:12:32: keys[0].per_user.limits.rpm: must be between 1 and 1000000000000, got 0",
                        "t.yaml:12:45: keys[0].per_user.budget.period: required key is missing",
                        "t.yaml:12:57: keys[0].per_user.limit: unknown key 'limit' (did you mean 'limits'?)")),
                new Case("unknown time zone", access("""
                        budgets:
                          time_zone: Europe/Berln
                        """), List.of(
                        "t.yaml:10:14: budgets.time_zone: unknown time zone 'Europe/Berln' (did you mean 'Europe/Berlin'?); use a region such as Europe/Berlin or America/New_York, or UTC")),
                new Case("unknown unpriced choice", access("""
                        budgets:
                          unpriced: free
                        """), List.of(
                        "t.yaml:10:13: budgets.unpriced: unknown choice 'free'; expected reject or charge_reservation")),
                new Case("charge_reservation without a price", access("""
                        budgets:
                          unpriced: charge_reservation
                        """), List.of(
                        "t.yaml:10:13: budgets.unpriced: charge_reservation needs unpriced_price: the rates a model without a price is charged at")),
                new Case("unpriced_price with reject", access("""
                        budgets:
                          unpriced_price: { input: 1, output: 2 }
                        """), List.of(
                        "t.yaml:10:3: budgets.unpriced_price: not allowed unless unpriced is charge_reservation: with reject it is never used")),
                new Case("unpriced_price incomplete", access("""
                        budgets:
                          unpriced: charge_reservation
                          unpriced_price: { input: 1 }
                        """), List.of(
                        "t.yaml:11:19: budgets.unpriced_price.output: required key is missing")),
                new Case("webhook not http", access("""
                        budgets:
                          alert_webhook: { url: "ftp://hooks.example.com/x" }
                        """), List.of(
                        "t.yaml:10:25: budgets.alert_webhook.url: expected an absolute http or https URL, such as https://hooks.example.com/tollgate")),
                new Case("webhook without host", access("""
                        budgets:
                          alert_webhook: { url: "https:///x" }
                        """), List.of(
                        "t.yaml:10:25: budgets.alert_webhook.url: has no valid host name")),
                new Case("webhook with user info", access("""
                        budgets:
                          alert_webhook: { url: "https://me:pw@hooks.example.com/x" }
                        """), List.of(
                        "t.yaml:10:25: budgets.alert_webhook.url: must not contain user info; put the credential in authorization")),
                new Case("webhook without url", access("""
                        budgets:
                          alert_webhook: { authorization: "${env:OPENAI_API_KEY}" }
                        """), List.of(
                        "t.yaml:10:18: budgets.alert_webhook.url: required key is missing")),
                new Case("webhook authorization unset", access("""
                        budgets:
                          alert_webhook: { url: "https://hooks.example.com/x", authorization: "${env:HOOK_TOKEN}" }
                        """), List.of(
                        "t.yaml:10:71: budgets.alert_webhook.authorization: environment variable HOOK_TOKEN is not set (referenced as ${env:HOOK_TOKEN})")),
                new Case("negative price", access("""
                        prices:
                          gpt-4o: { input: -0.5, output: 1 }
                        """), List.of(
                        "t.yaml:10:20: prices.gpt-4o.input: must be at least 0, got -0.5")),
                new Case("price with too many decimals", access("""
                        prices:
                          gpt-4o: { input: 0.0000000001, output: 1 }
                        """), List.of(
                        "t.yaml:10:20: prices.gpt-4o.input: has more than 9 decimals (the smallest amount is a nano-dollar), got 0.0000000001")),
                new Case("price without output", access("""
                        prices:
                          gpt-4o: { input: 1 }
                        """), List.of(
                        "t.yaml:10:11: prices.gpt-4o.output: required key is missing")),
                new Case("price with unknown kind", access("""
                        prices:
                          gpt-4o: { input: 1, output: 2, cache_read: 0.1 }
                        """), List.of(
                        "t.yaml:10:34: prices.gpt-4o.cache_read: unknown key 'cache_read'; valid keys: cache_write, cached_input, input, max_output_tokens, output, reasoning")),
                new Case("price name with a space", access("""
                        prices:
                          "gpt 4o": { input: 1, output: 2 }
                        """), List.of(
                        "t.yaml:10:3: prices.gpt 4o: a price is named by a model (or provider/model) without spaces")),
                new Case("max_output_tokens zero", access("""
                        prices:
                          gpt-4o: { input: 1, output: 2, max_output_tokens: 0 }
                        """), List.of(
                        "t.yaml:10:53: prices.gpt-4o.max_output_tokens: must be between 1 and 100000000, got 0")),
                new Case("unknown ledger scheme", access("""
                        storage:
                          ledger: mysql://db/tollgate
                        """), List.of(
                        "t.yaml:10:11: storage.ledger: expected sqlite:<file> (sqlite:data/tollgate.db), postgresql://host:5432/database?user=name, or none")),
                new Case("sqlite without a path", access("""
                        storage:
                          ledger: "sqlite:"
                        """), List.of(
                        "t.yaml:10:11: storage.ledger: sqlite: needs a file path, such as sqlite:data/tollgate.db")),
                new Case("postgres without host", access("""
                        storage:
                          ledger: "postgresql:///tollgate"
                        """), List.of(
                        "t.yaml:10:11: storage.ledger: has no valid host name; expected postgresql://host:5432/database?user=name")),
                new Case("ledger reference unset", access("""
                        storage:
                          ledger: ${env:LEDGER_URL}
                        """), List.of(
                        "t.yaml:10:11: storage.ledger: environment variable LEDGER_URL is not set (referenced as ${env:LEDGER_URL})")),
                new Case("ledger reference to a bad target", access("""
                        storage:
                          ledger: ${env:OPENAI_API_KEY}
                        """), List.of(
                        "t.yaml:10:11: storage.ledger: expected sqlite:<file> (sqlite:data/tollgate.db), postgresql://host:5432/database?user=name, or none")),
                new Case("redis wrong scheme", access("""
                        storage:
                          redis: "http://cache:6379"
                        """), List.of(
                        "t.yaml:10:10: storage.redis: expected redis://host:6379 or rediss://host:6379 (TLS)")),
                new Case("redis with a path", access("""
                        storage:
                          redis: "redis://cache:6379/x"
                        """), List.of(
                        "t.yaml:10:10: storage.redis: the path of a Redis URL is a database number, as in redis://host:6379/2")),
                new Case("redis_prefix with a space", access("""
                        storage:
                          redis_prefix: "tollgate gw:"
                        """), List.of(
                        "t.yaml:10:17: storage.redis_prefix: a key prefix cannot contain spaces or control characters")),
                new Case("unknown on_redis_failure choice", access("""
                        storage:
                          redis: redis://cache:6379
                          on_redis_failure: { limits: open }
                        """), List.of(
                        "t.yaml:11:31: storage.on_redis_failure.limits: unknown choice 'open'; expected local or fail_closed")),
                new Case("spill_max too small", access("""
                        storage:
                          spill_max: 64KiB
                        """), List.of(
                        "t.yaml:10:14: storage.spill_max: must be at least 1MiB, got 64KiB")),
                new Case("spill_dir as a reference", access("""
                        storage:
                          spill_dir: ${env:SPILL}
                        """), List.of(
                        "t.yaml:10:14: storage.spill_dir: secret references (${...}) are only allowed in api_key, aws_access_key_id, aws_secret_access_key, aws_session_token, header values, storage.ledger, storage.redis and alert_webhook.authorization")),
                new Case("keys not a list", access("""
                        keys:
                          bot: { hash: "HASH_A" }
                        """), List.of(
                        "t.yaml:10:3: keys: expected a list, got a mapping")),
                new Case("deployment limit", model("deployments: [{ provider: openai, limits: { rpm: 0 } }]"),
                        List.of("t.yaml:5:54: models.m.deployments[0].limits.rpm: must be between 1 and 1000000000000, got 0")),

                // The response cache.
                new Case("cache: unknown key", Fixtures.MINIMAL + "cache: { enabled: true, ttll: 1h }\n",
                        List.of("t.yaml:9:25: cache.ttll: unknown key 'ttll' (did you mean 'ttl'?)")),
                new Case("cache: unknown scope", Fixtures.MINIMAL + "cache: { scope: teams }\n",
                        List.of("t.yaml:9:17: cache.scope: unknown scope 'teams' (did you mean 'team'?); expected one of team, key, global")),
                new Case("cache: unknown mode", Fixtures.MINIMAL + "cache: { mode: always }\n",
                        List.of("t.yaml:9:16: cache.mode: unknown mode 'always'; expected one of deterministic, all")),
                new Case("cache: ttl too long", Fixtures.MINIMAL + "cache: { ttl: 1000h }\n",
                        List.of("t.yaml:9:15: cache.ttl: must be at most 720h, got 1000h")),
                new Case("cache: ttl too short", Fixtures.MINIMAL + "cache: { ttl: 500ms }\n",
                        List.of("t.yaml:9:15: cache.ttl: must be at least 1s, got 500ms")),
                new Case("cache: store too small", Fixtures.MINIMAL + "cache: { max_bytes: 64KiB }\n",
                        List.of("t.yaml:9:21: cache.max_bytes: must be between 1MiB and 64GiB, got 64KiB")),
                new Case("cache: shared without redis", Fixtures.MINIMAL + "cache: { shared: true }\n",
                        List.of("t.yaml:9:18: cache.shared: needs storage.redis: the shared cache lives in Redis")),
                new Case("cache: entry larger than the store", Fixtures.MINIMAL
                        + "cache: { max_bytes: 2MiB, max_entry_bytes: 4MiB }\n",
                        List.of("t.yaml:9:44: cache.max_entry_bytes: max_entry_bytes (4MiB) cannot be larger than max_bytes (2MiB)")),
                new Case("cache: not a boolean", Fixtures.MINIMAL + "cache: { enabled: yes please }\n",
                        List.of("t.yaml:9:19: cache.enabled: expected true or false, got 'yes please'")),
                new Case("model cache: store-wide key", model("deployments: [{ provider: openai }]\ncache: { max_bytes: 1GiB }"),
                        List.of("t.yaml:6:14: models.m.cache.max_bytes: unknown key 'max_bytes'; valid keys: cache_tool_calls, enabled, mode, scope, ttl")),
                new Case("model cache: unknown scope", model("deployments: [{ provider: openai }]\ncache: { scope: user }"),
                        List.of("t.yaml:6:21: models.m.cache.scope: unknown scope 'user'; expected one of team, key, global")),
                new Case("model cache on embeddings", model("mode: embeddings\ndeployments: [{ provider: openai }]\ncache: { enabled: true }"),
                        List.of("t.yaml:7:5: models.m.cache: not allowed on an embeddings model: the response cache serves chat models only")),

                // Tracing.
                new Case("tracing: unknown key", Fixtures.MINIMAL + "tracing: { enabled: true, sample_rate: 0.5 }\n",
                        List.of("t.yaml:9:27: tracing.sample_rate: unknown key 'sample_rate' (did you mean 'sample_ratio'?)")),
                new Case("tracing: ratio above 1", Fixtures.MINIMAL + "tracing: { sample_ratio: 1.5 }\n",
                        List.of("t.yaml:9:26: tracing.sample_ratio: must be between 0 and 1, got 1.5")),
                new Case("tracing: endpoint not http", Fixtures.MINIMAL + "tracing: { endpoint: \"grpc://otel:4317\" }\n",
                        List.of("t.yaml:9:22: tracing.endpoint: expected an absolute http or https URL, such as http://127.0.0.1:4318")),
                new Case("tracing: endpoint with the signal path", Fixtures.MINIMAL
                        + "tracing: { endpoint: \"http://otel:4318/v1/traces\" }\n",
                        List.of("t.yaml:9:22: tracing.endpoint: is the collector's base URL, without /v1/traces (it is added)")),
                new Case("tracing: endpoint with the signal path and a slash", Fixtures.MINIMAL
                        + "tracing: { endpoint: \"http://otel:4318/v1/traces/\" }\n",
                        List.of("t.yaml:9:22: tracing.endpoint: is the collector's base URL, without /v1/traces (it is added)")),
                new Case("tracing: batch larger than the queue", Fixtures.MINIMAL
                        + "tracing: { max_queue: 100, batch_size: 200 }\n",
                        List.of("t.yaml:9:40: tracing.batch_size: batch_size (200) cannot be larger than max_queue (100)")),
                new Case("tracing: export timeout too long", Fixtures.MINIMAL + "tracing: { export_timeout: 5m }\n",
                        List.of("t.yaml:9:28: tracing.export_timeout: must be at most 1m, got 5m")),
                new Case("tracing: content-type header", Fixtures.MINIMAL
                        + "tracing: { headers: { Content-Type: text/plain } }\n",
                        List.of("t.yaml:9:23: tracing.headers.Content-Type: header Content-Type is set by the exporter (OTLP/HTTP JSON)")),
                new Case("tracing: unset secret in a header", Fixtures.MINIMAL
                        + "tracing: { headers: { x-api-key: \"${env:NO_SUCH_VAR}\" } }\n",
                        List.of("t.yaml:9:34: tracing.headers.x-api-key: environment variable NO_SUCH_VAR is not set (referenced as ${env:NO_SUCH_VAR})")),

                // Review sampling.
                new Case("review: rate out of range", Fixtures.MINIMAL + "review: { sample_rate: 1.5 }\n",
                        List.of("t.yaml:9:24: review.sample_rate: must be between 0 and 1, got 1.5")),
                new Case("review: sampling without a ledger", Fixtures.MINIMAL
                        + "storage: { ledger: none }\nreview: { sample_rate: 0.1 }\n",
                        List.of("t.yaml:10:24: review.sample_rate: needs storage.ledger: review samples are kept in "
                                + "the ledger database")),
                new Case("review: max_chars too small", Fixtures.MINIMAL + "review: { max_chars: 10 }\n",
                        List.of("t.yaml:9:22: review.max_chars: must be between 100 and 1000000, got 10")),
                new Case("review: retention too long", Fixtures.MINIMAL + "review: { retention: 100000h }\n",
                        List.of("t.yaml:9:22: review.retention: must be at most 87600h, got 100000h")),
                new Case("review: unknown key", Fixtures.MINIMAL + "review: { rate: 0.1 }\n",
                        List.of("t.yaml:9:11: review.rate: unknown key 'rate'; valid keys: "
                                + "max_chars, retention, sample_rate")),
                new Case("model review on embeddings", model("mode: embeddings\ndeployments: [{ provider: openai }]\n"
                        + "review: { sample_rate: 0 }"),
                        List.of("t.yaml:7:5: models.m.review: not allowed on an embeddings model: review sampling keeps "
                                + "chat requests only")),

                // YAML-level problems, reported with the binding problems.
                new Case("duplicate key", provider("type: mock"),
                        List.of("t.yaml:5:5: providers.openai.type: duplicate key 'type' (first defined at line 3)")),
                new Case("custom tag", provider("auth_header: !!python/object/apply:os.system [id]"),
                        List.of("t.yaml:5:18: providers.openai.auth_header: tag '!!python/object/apply:os.system' is "
                                + "not allowed: the config takes plain YAML values only",
                                "t.yaml:5:18: providers.openai.auth_header: expected a header name, got a list")),
                new Case("syntax error", "providers:\n  openai: { type: openai\nmodels: {}\n",
                        List.of("t.yaml:3:7: invalid YAML: expected ',' or '}', but got : (while parsing a flow mapping)")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsExactlyTheseProblems(Case c) {
        assertThat(problems(loader().parse("t.yaml", c.yaml()))).containsExactlyElementsOf(c.expected());
    }

    /** Configs that load, and the warnings they get. */
    static Stream<Case> warningCases() {
        return Stream.of(
                new Case("inline api_key", provider("api_key: sk-inline"),
                        List.of("t.yaml:5:14: providers.openai.api_key: the key is written in the file; use ${env:NAME} "
                                + "or ${file:/path} to keep it out of it")),
                new Case("auth_header without api_key", provider("auth_header: api-key"),
                        List.of("t.yaml:5:5: providers.openai.auth_header: has no effect without an api_key")),
                new Case("anthropic without api_key", typed("anthropic", ""),
                        List.of("t.yaml:3:5: providers.p.api_key: is not set: anthropic refuses calls without a key "
                                + "unless a proxy in between adds one")),
                new Case("gemini without api_key", typed("gemini", ""),
                        List.of("t.yaml:3:5: providers.p.api_key: is not set: gemini refuses calls without a key "
                                + "unless a proxy in between adds one")),
                new Case("azure-openai without api_key", typed("azure-openai", "base_url: https://r.openai.azure.com\napi_version: 2024-10-21"),
                        List.of("t.yaml:3:5: providers.p.api_key: is not set: azure-openai refuses calls without a key "
                                + "unless a proxy in between adds one")),
                new Case("inline AWS credentials", typed("bedrock", """
                        region: us-east-1
                        aws_access_key_id: AKIDEXAMPLE
                        aws_secret_access_key: inline-secret
                        aws_session_token: inline-token"""), List.of(
                        "t.yaml:5:24: providers.p.aws_access_key_id: the key is written in the file; use ${env:NAME} "
                                + "or ${file:/path} to keep it out of it",
                        "t.yaml:6:28: providers.p.aws_secret_access_key: the key is written in the file; use ${env:NAME} "
                                + "or ${file:/path} to keep it out of it",
                        "t.yaml:7:24: providers.p.aws_session_token: the key is written in the file; use ${env:NAME} "
                                + "or ${file:/path} to keep it out of it")),
                new Case("unused provider", Fixtures.MINIMAL.replace("models:", "  spare: { type: openai, base_url: http://127.0.0.1:8000/v1 }\nmodels:"),
                        List.of("t.yaml:5:3: providers.spare: provider 'spare' is not used by any model")),
                new Case("inline webhook authorization", access("""
                        budgets:
                          alert_webhook: { url: "https://hooks.example.com/x", authorization: "Bearer abc" }
                        """), List.of(
                        "t.yaml:10:71: budgets.alert_webhook.authorization: the key is written in the file; use ${env:NAME} or ${file:/path} to keep it out of it")),
                new Case("inline ledger password", access("""
                        storage:
                          ledger: "postgresql://gw:secret@db:5432/tollgate"
                        """), List.of(
                        "t.yaml:10:11: storage.ledger: the password is written in the file; use ${env:NAME} or ${file:/path} to keep it out of it")),
                new Case("inline redis password in the query", access("""
                        storage:
                          ledger: "postgres://db:5432/tollgate?user=gw&password=secret"
                        """), List.of(
                        "t.yaml:10:11: storage.ledger: the password is written in the file; use ${env:NAME} or ${file:/path} to keep it out of it")),
                new Case("on_redis_failure without redis", access("""
                        storage:
                          on_redis_failure: { budgets: local }
                        """), List.of(
                        "t.yaml:10:3: storage.on_redis_failure: has no effect without redis")),
                new Case("price for a provider model nothing serves", access("""
                        prices:
                          openai/gpt-4o: { input: 2.5, output: 10 }
                          meta-llama/Llama-3.1-8B: { input: 0, output: 0 }
                          openai/gpt-4o-mini: { input: 0.15, output: 0.6 }
                        """), List.of(
                        "t.yaml:10:3: prices.openai/gpt-4o: no deployment of provider 'openai' serves model 'gpt-4o', so this price is never used")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("warningCases")
    void warnsExactlyThus(Case c) {
        assertThat(loaded(loader().parse("t.yaml", c.yaml())).warnings()).map(ConfigProblem::toString)
                .containsExactlyElementsOf(c.expected());
    }
}
