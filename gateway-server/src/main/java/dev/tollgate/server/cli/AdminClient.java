package dev.tollgate.server.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.server.cli.Failure.Refused;
import dev.tollgate.server.cli.Failure.Unreachable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Calls the admin API: one request per call, the admin key as a bearer token, and every way a call can go wrong
 * turned into a {@link Failure} whose message says what happened (never with the key).
 */
final class AdminClient implements AutoCloseable {
    /** Exact decimals both ways: amounts of money are neither rounded when read nor written as 5E+1. */
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private final Connection connection;
    private final HttpClient http;

    AdminClient(Connection connection) {
        this.connection = connection;
        // HTTP/1.1: the admin port speaks nothing else, and an h2c upgrade offer would only add a round of headers.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connection.timeout()).build();
    }

    /** A 2xx answer. */
    record Reply(URI uri, int status, String body) {
        /** The body as JSON; a 2xx that is not JSON did not come from the admin API. */
        JsonNode json() {
            JsonNode tree = parse(body);
            if (tree == null) {
                throw new Refused(uri + " answered " + status + " with a body that is not JSON: is it the gateway's"
                        + " admin port (server.admin_listen)?", List.of());
            }
            return tree;
        }
    }

    Reply get(String path) throws InterruptedException {
        return send(HttpRequest.newBuilder(connection.uri(path)).GET());
    }

    /** POSTs {@code body} as JSON, or an empty body when it is null. */
    Reply post(String path, JsonNode body) throws InterruptedException {
        return withBody("POST", path, body);
    }

    /** PUTs {@code body} as JSON. */
    Reply put(String path, JsonNode body) throws InterruptedException {
        return withBody("PUT", path, body);
    }

    private Reply withBody(String method, String path, JsonNode body) throws InterruptedException {
        HttpRequest.BodyPublisher content;
        try {
            content = body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree built in memory always serialises", e);
        }
        return send(HttpRequest.newBuilder(connection.uri(path)).header("Content-Type", "application/json")
                .method(method, content));
    }

    private Reply send(HttpRequest.Builder request) throws InterruptedException {
        HttpRequest built = authorised(request);
        HttpResponse<String> response;
        try {
            response = http.send(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw unreachable(e);
        }
        if (response.statusCode() / 100 != 2) {
            throw refused(response.statusCode(), response.body());
        }
        return new Reply(built.uri(), response.statusCode(), response.body());
    }

    /**
     * GETs {@code path} and hands each line of its 2xx body to {@code line} as it arrives, so a long export is
     * never held whole. The timeout is the wait for the answer to begin; the body may take longer.
     */
    void getLines(String path, Consumer<String> line) throws InterruptedException {
        HttpResponse<Stream<String>> response;
        try {
            response = http.send(authorised(HttpRequest.newBuilder(connection.uri(path)).GET()),
                    HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw unreachable(e);
        }
        try (Stream<String> lines = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw refused(response.statusCode(), lines.collect(Collectors.joining("\n")));
            }
            lines.forEach(line);
        } catch (UncheckedIOException e) {
            throw new Unreachable("the answer from the admin API at " + connection.base() + " broke off: "
                    + e.getCause().getMessage() + "; what came before it is incomplete");
        }
    }

    private HttpRequest authorised(HttpRequest.Builder request) {
        return request.timeout(connection.timeout()).header("Authorization", connection.authorization()).build();
    }

    private Unreachable unreachable(IOException e) {
        String where = "cannot reach the admin API at " + connection.base() + ": ";
        String check = ". Is the gateway running, and is that its admin address (server.admin_listen)? Point at it with"
                + " --admin URL or $" + Connection.URL_ENV + ".";
        if (e instanceof HttpConnectTimeoutException) {
            return new Unreachable(where + "no connection within " + connection.timeoutText() + check);
        }
        if (e instanceof HttpTimeoutException) {
            return new Unreachable(where + "connected, but no answer within " + connection.timeoutText()
                    + " (a longer --timeout may help a busy gateway)");
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
                return new Unreachable(where + "unknown host '" + connection.base().getHost() + "'" + check);
            }
        }
        if (e instanceof ConnectException) {
            return new Unreachable(where + "connection refused" + check);
        }
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new Unreachable(where + reason + check);
    }

    /** The gateway's own words from its JSON error body, and each problem of a config it would not apply. */
    private Refused refused(int status, String text) {
        JsonNode body = parse(text);
        JsonNode error = body == null ? null : body.path("error");
        if (error == null || !error.path("message").isTextual()) {
            return new Refused(connection.base() + " answered " + status + " without the admin API's error body: is"
                    + " it the gateway's admin address (server.admin_listen)?", List.of());
        }
        String message = "HTTP " + status + ": " + error.path("message").asText();
        if (status == 401) {
            message += " The admin key in " + connection.keySource() + " is not one of the gateway's admin.keys.";
        } else if (status == 403 && error.path("code").asText().equals("forbidden")) {
            message += " The admin key in " + connection.keySource() + " has the viewer role: use a key with role "
                    + "admin for this command.";
        }
        var lines = new ArrayList<String>();
        for (JsonNode problem : error.path("problems")) { // a config's problems, each rendered by the gateway
            lines.add(problem.path("text").asText());
        }
        return new Refused(message, lines);
    }

    private static JsonNode parse(String text) {
        try {
            JsonNode tree = JSON.readTree(text);
            return tree == null || tree.isMissingNode() ? null : tree;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** {@code path} with the non-null {@code params} as its query, in the map's order. */
    static String withQuery(String path, Map<String, String> params) {
        var query = new StringJoiner("&", "?", "");
        query.setEmptyValue("");
        params.forEach((name, value) -> {
            if (value != null) {
                query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        });
        return path + query;
    }

    /** A name as one path segment: whatever it holds, it cannot reach another route. */
    static String segment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        http.close();
    }
}
