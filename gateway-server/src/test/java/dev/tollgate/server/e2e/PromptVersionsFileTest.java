package dev.tollgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RunningGateway;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A prompt's versions kept in a file of their own: a reload picks up a version added there even though the config
 * file's text did not change, and refuses an edit of a version in force made there.
 */
class PromptVersionsFileTest {
    private static final String ADMIN = "admin-key-for-versions-file";
    private static final String BASE = """
            server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0, watch_config: false }
            admin: { keys: ["%s"] }
            providers:
              demo: { type: mock }
            models:
              chat: { deployments: [ { provider: demo } ] }
            """.formatted(KeyHash.of(ADMIN));
    private static final String WITH_PROMPT = BASE + """
            prompts:
              triage:
                labels: {production: 1}
                versions_file: triage-versions.yaml
            """;

    @Test
    void aVersionAddedToTheFileIsAppliedByAReloadAndAnEditOfOneInForceIsRefused() throws Exception {
        try (var g = RunningGateway.start(BASE, Map.of())) {
            Path versions = g.configFile().resolveSibling("triage-versions.yaml");
            Files.writeString(versions, "1: {system: \"Sort the ticket.\"}\n");
            g.writeConfig(WITH_PROMPT);
            assertThat(reload(g).statusCode()).isEqualTo(200);
            assertThat(chat(g, "triage@2").statusCode()).isEqualTo(404);

            Files.writeString(versions, "1: {system: \"Sort the ticket.\"}\n2: {system: \"Sort it fast.\"}\n");
            HttpResponse<String> added = reload(g);
            assertThat(added.statusCode()).isEqualTo(200);
            assertThat(Http.json(added).path("applied").asBoolean()).isTrue();
            assertThat(Http.json(admin(g, "/admin/config")).path("note").asText())
                    .isEqualTo("prompt versions files re-read");
            HttpResponse<String> pinned = chat(g, "triage@2");
            assertThat(pinned.statusCode()).isEqualTo(200);
            assertThat(pinned.headers().firstValue("x-tollgate-prompt")).hasValue("triage@2");

            assertThat(Http.json(reload(g)).path("reason").asText()).isEqualTo("unchanged");

            Files.writeString(versions, "1: {system: \"Sort the ticket!\"}\n2: {system: \"Sort it fast.\"}\n");
            HttpResponse<String> edited = reload(g);
            assertThat(edited.statusCode()).isEqualTo(422);
            assertThat(edited.body()).contains("version 1 of prompt 'triage' differs from the one in force");
        }
    }

    private static HttpResponse<String> chat(RunningGateway g, String prompt) throws Exception {
        return Http.post(g.url("/v1/chat/completions"), "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}", "x-tollgate-prompt", prompt);
    }

    private static HttpResponse<String> reload(RunningGateway g) throws Exception {
        return send(g, "POST", "/admin/config/reload");
    }

    private static HttpResponse<String> admin(RunningGateway g, String path) throws Exception {
        return send(g, "GET", path);
    }

    private static HttpResponse<String> send(RunningGateway g, String method, String path) throws Exception {
        var request = HttpRequest.newBuilder(g.adminUrl(path)).header("authorization", "Bearer " + ADMIN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
