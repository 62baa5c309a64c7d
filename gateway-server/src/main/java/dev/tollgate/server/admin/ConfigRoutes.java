package dev.tollgate.server.admin;

import static dev.tollgate.server.admin.AdminApi.done;
import static dev.tollgate.server.admin.AdminApi.param;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.config.ConfigProblem;
import dev.tollgate.config.Redaction;
import dev.tollgate.server.admin.AdminApi.Reply;
import dev.tollgate.server.reload.ConfigReloader;
import dev.tollgate.server.reload.ConfigVersion;
import dev.tollgate.server.reload.ReloadResult;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The admin routes of config versions, under {@code /admin/config}. Texts and diffs are redacted: secret values
 * and credentials in URLs never leave the gateway, secret references ({@code ${env:NAME}}) do.
 *
 * <pre>
 *  GET  /admin/config                           the version in force, its source, settings waiting for a restart
 *  GET  /admin/config/versions                  every kept version, newest first
 *  GET  /admin/config/versions/{n}              one version with its (redacted) YAML
 *  GET  /admin/config/diff?from=N&amp;to=M          unified diff, text/plain (to: the version in force; from: to-1)
 *  POST /admin/config/reload[?dry_run=true]     re-read the file; 422 with every problem when it has any
 *  POST /admin/config/versions/{n}/rollback     put version n back in force (and into the file)
 * </pre>
 */
final class ConfigRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIFF_TYPE = "text/plain; charset=utf-8";
    private static final HttpResponseStatus UNPROCESSABLE = HttpResponseStatus.UNPROCESSABLE_ENTITY;

    private final ConfigReloader reloader;

    ConfigRoutes(ConfigReloader reloader) {
        this.reloader = reloader;
    }

    /** The methods a path under {@code config} answers; none when it is not a route. */
    static Set<HttpMethod> methods(String[] parts) {
        return switch (parts.length) {
            case 1 -> Set.of(HttpMethod.GET);
            case 2 -> switch (parts[1]) {
                case "versions", "diff" -> Set.of(HttpMethod.GET);
                case "reload" -> Set.of(HttpMethod.POST);
                default -> Set.of();
            };
            case 3 -> parts[1].equals("versions") && !parts[2].isEmpty() ? Set.of(HttpMethod.GET) : Set.of();
            case 4 -> parts[1].equals("versions") && parts[3].equals("rollback") ? Set.of(HttpMethod.POST) : Set.of();
            default -> Set.of();
        };
    }

    /** The query parameters a route under {@code config} takes. */
    static Set<String> params(String[] parts) {
        if (parts.length != 2) {
            return Set.of();
        }
        return switch (parts[1]) {
            case "diff" -> Set.of("from", "to");
            case "reload" -> Set.of("dry_run");
            default -> Set.of();
        };
    }

    /**
     * Answers a request already checked against {@link #methods} and {@link #params}.
     *
     * @param actor who asks, for the version it may create
     */
    CompletionStage<Reply> route(String[] parts, QueryStringDecoder uri, String actor) {
        if (parts.length == 1) {
            ObjectNode out = summary(reloader.current()).put("source", reloader.source());
            return done(Reply.json(HttpResponseStatus.OK, out.set("restart_required",
                    strings(reloader.restartPending()))));
        }
        return switch (parts[1]) {
            case "reload" -> {
                boolean dryRun = flag(uri, "dry_run");
                yield reloader.submit(() -> reloader.reload(actor, dryRun)).thenApply(ConfigRoutes::reply);
            }
            // Redacting and diffing large texts takes a while: on the reload thread, never on an event loop.
            case "diff" -> {
                Integer from = optionalNumber(uri, "from");
                Integer to = optionalNumber(uri, "to");
                yield reloader.submit(() -> diff(from, to));
            }
            default -> switch (parts.length) {
                case 2 -> done(versions());
                case 3 -> {
                    int n = number(parts[2]);
                    yield reloader.submit(() -> version(n));
                }
                default -> {
                    int n = number(parts[2]);
                    yield reloader.submit(() -> reloader.rollback(n, actor)).thenApply(ConfigRoutes::reply);
                }
            };
        };
    }

    private Reply versions() {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode data = out.putArray("data");
        int current = reloader.current().number();
        for (ConfigVersion v : reloader.versions()) {
            data.add(summary(v).put("current", v.number() == current));
        }
        return Reply.json(HttpResponseStatus.OK, out);
    }

    private Reply version(int number) {
        ConfigVersion v = reloader.version(number);
        if (v == null) {
            return Reply.error(HttpResponseStatus.NOT_FOUND, "No config version " + number + " is kept.");
        }
        return Reply.json(HttpResponseStatus.OK, summary(v).put("current", v.number() == reloader.current().number())
                .put("yaml", Redaction.redact(v.text())));
    }

    /** The diff between two versions: {@code to} defaults to the version in force, {@code from} to the one before. */
    private Reply diff(Integer from, Integer to) {
        int newer = to != null ? to : reloader.current().number();
        int older = from != null ? from : Math.max(1, newer - 1);
        for (int n : new int[] {older, newer}) {
            if (reloader.version(n) == null) {
                return Reply.error(HttpResponseStatus.NOT_FOUND, "No config version " + n + " is kept.");
            }
        }
        return new Reply(HttpResponseStatus.OK, DIFF_TYPE, reloader.diff(older, newer));
    }

    private static Reply reply(ReloadResult result) {
        return reply(result, out -> { });
    }

    /**
     * The answer to a reload, rollback or edit.
     *
     * @param about adds what the change was about to the answer of an applied or unchanged config
     */
    static Reply reply(ReloadResult result, Consumer<ObjectNode> about) {
        return switch (result) {
            case ReloadResult.Applied a -> {
                ObjectNode out = JSON.createObjectNode().put("applied", true).put("version", a.version().number());
                about.accept(out);
                if (a.file() != null) {
                    if (a.file().rolledBackTo() != null) {
                        out.put("rolled_back_to", a.file().rolledBackTo());
                    }
                    out.put("file_updated", a.file().fileUpdated());
                    if (!a.file().fileUpdated()) {
                        out.put("file_note", a.file().fileNote());
                    }
                }
                out.put("diff", a.diff());
                out.set("restart_required", strings(a.restartRequired()));
                out.set("warnings", problems(a.warnings()));
                yield Reply.json(HttpResponseStatus.OK, out);
            }
            case ReloadResult.Unchanged u -> {
                ObjectNode out = JSON.createObjectNode().put("applied", false).put("reason", "unchanged")
                        .put("version", u.current().number());
                about.accept(out);
                yield Reply.json(HttpResponseStatus.OK, out);
            }
            case ReloadResult.Checked c -> {
                ObjectNode out = JSON.createObjectNode().put("applied", false).put("dry_run", true).put("valid", true)
                        .put("diff", c.diff());
                out.set("restart_required", strings(c.restartRequired()));
                out.set("warnings", problems(c.warnings()));
                yield Reply.json(HttpResponseStatus.OK, out);
            }
            case ReloadResult.Rejected r -> {
                ObjectNode out = JSON.createObjectNode();
                out.putObject("error")
                        .put("message", r.problems().size() + (r.problems().size() == 1 ? " problem" : " problems")
                                + " in the config; the running config is unchanged.")
                        .put("status", UNPROCESSABLE.code())
                        .set("problems", problems(r.problems()));
                yield Reply.json(UNPROCESSABLE, out);
            }
            case ReloadResult.Refused r -> Reply.error(switch (r.cause()) {
                case NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
                case CONFLICT -> HttpResponseStatus.CONFLICT;
                case UNAVAILABLE -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            }, r.reason());
        };
    }

    private static ObjectNode summary(ConfigVersion v) {
        return JSON.createObjectNode().put("version", v.number()).put("hash", v.hash())
                .put("applied_at", v.appliedAt().toString()).put("actor", v.actor()).put("note", v.note());
    }

    private static ArrayNode problems(List<ConfigProblem> problems) {
        ArrayNode out = JSON.createArrayNode();
        for (ConfigProblem p : problems) {
            out.addObject().put("file", p.file()).put("line", p.line()).put("column", p.column())
                    .put("path", p.path()).put("message", p.message()).put("text", p.toString());
        }
        return out;
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode out = JSON.createArrayNode();
        values.forEach(out::add);
        return out;
    }

    private static int number(String text) {
        try {
            int n = Integer.parseInt(text);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // worded below
        }
        throw new IllegalArgumentException("A config version is a whole number from 1, got '" + text + "'.");
    }

    private static Integer optionalNumber(QueryStringDecoder uri, String name) {
        String value = param(uri, name);
        return value == null ? null : number(value);
    }

    /** A boolean parameter: absent is false; given without a value ({@code ?dry_run}) is true. */
    static boolean flag(QueryStringDecoder uri, String name) {
        if (!uri.parameters().containsKey(name)) {
            return false;
        }
        String value = param(uri, name);
        if (value == null || value.equals("true")) {
            return true;
        }
        if (value.equals("false")) {
            return false;
        }
        throw new IllegalArgumentException(name + " must be true or false.");
    }
}
