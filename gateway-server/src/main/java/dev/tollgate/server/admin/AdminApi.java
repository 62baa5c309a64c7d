package dev.tollgate.server.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.config.KeyDrafts;
import dev.tollgate.core.access.AccessPolicy;
import dev.tollgate.core.access.AdminKey;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.access.RawKeys;
import dev.tollgate.core.access.Team;
import dev.tollgate.core.access.VirtualKey;
import dev.tollgate.core.cache.ResponseCache;
import dev.tollgate.core.eval.EvaluationStore;
import dev.tollgate.core.ledger.GroupBy;
import dev.tollgate.core.ledger.KeyStore;
import dev.tollgate.core.ledger.ReportQuery;
import dev.tollgate.core.ledger.ReportRow;
import dev.tollgate.core.ledger.SpendLedger;
import dev.tollgate.core.quality.QualityStore;
import dev.tollgate.core.quota.Budget;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.quota.QuotaCheck;
import dev.tollgate.core.quota.QuotaStore;
import dev.tollgate.core.quota.ScopeUsage;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.server.access.KeyRing;
import dev.tollgate.server.log.AuditLog;
import dev.tollgate.server.log.JsonLine;
import dev.tollgate.server.pipeline.HttpReplies;
import dev.tollgate.server.pipeline.RequestId;
import dev.tollgate.server.reload.ConfigReloader;
import dev.tollgate.server.store.RedisResponseCache;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The admin API for keys, spend and budgets, under {@code /admin/} on the admin port only, behind an admin key
 * ({@code Authorization: Bearer}, compared by hash in constant time). A key with the {@code viewer} role may send
 * every request that changes nothing ({@link #readOnly}); anything else answers it 403 {@code forbidden}. Refused
 * credentials are audited ({@link RefusedAttempts}). Store and ledger calls run on their own threads; replies are
 * written back on the connection's loop.
 *
 * <pre>
 *  POST   /admin/keys                 create a key (JSON body); the raw key is in this response only
 *  GET    /admin/keys                 every key (config and runtime), without secrets
 *  GET    /admin/keys/{name}          one key, its limits and its live usage
 *  POST   /admin/keys/{name}/revoke   disable a runtime key;  POST .../enable undoes it
 *  GET    /admin/spend                ?from&to (dates or instants), group_by, key, team, format=json|csv
 *  GET    /admin/budgets              every budget: limit, spent, reserved, period
 *  GET    /admin/cache                the response cache's size, hits, misses and evictions
 *  DELETE /admin/cache                purge cached answers: ?model=&amp;scope= narrow it (team:NAME, key:NAME, global)
 *  ...    /admin/config...            config versions, reload and rollback: see {@link ConfigRoutes}
 *  GET    /admin/reviews[/export]     review samples with their feedback, JSON or JSON lines: see {@link QualityRoutes}
 *  GET    /admin/feedback             feedback on answers: see {@link QualityRoutes}
 *  ...    /admin/prompts...           the prompt registry: versions, rendering, diffs, labels: see {@link PromptRoutes}
 *  ...    /admin/experiments...       prompt experiments: results per arm, ending one: see {@link ExperimentRoutes}
 *  ...    /admin/evaluations...       evaluation results, JSON or JSON lines; bias runs: see {@link EvaluationRoutes}
 * </pre>
 */
public final class AdminApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(AdminApi.class.getName());
    /** Hex digits of a created key's hash in its audit line: enough to tell keys apart. */
    private static final int KEY_HASH_HEX = 12;
    private static final Set<String> PURGE_PARAMS = Set.of("model", "scope");
    private static final Set<String> SPEND_PARAMS = Set.of("from", "to", "group_by", "key", "team", "format");

    private final Supplier<RuntimeSnapshot> snapshot;
    private final Supplier<List<AdminKey>> adminKeys;
    private final KeyRing keys;
    private final KeyStore keyStore;
    private final SpendLedger ledger;
    private final QuotaStore quotas;
    private final Clock clock;
    private final ConfigRoutes config;
    private final ResponseCache cache;
    private final RedisResponseCache sharedCache;
    private final QualityRoutes quality;
    private final PromptRoutes prompts;
    private final ExperimentRoutes experiments;
    private final EvaluationRoutes evaluations;
    private final SecureRandom random = new SecureRandom();
    private final AuditLog audit;
    private final RefusedAttempts refusals;

    /**
     * @param keyStore null when there is no ledger (runtime keys are then unavailable)
     * @param ledger null when there is no ledger (spend reports are then unavailable)
     * @param sharedCache the response cache's level in Redis, or null
     * @param qualityStore null when there is no ledger (feedback and review samples are then unavailable)
     * @param evaluationStore null when there is no ledger (evaluation results are then unavailable)
     * @param biasRuns null when the evaluation engine is not running (bias runs are then unavailable)
     */
    public AdminApi(Supplier<RuntimeSnapshot> snapshot, Supplier<List<AdminKey>> adminKeys, KeyRing keys,
                    KeyStore keyStore, SpendLedger ledger, QuotaStore quotas, ResponseCache cache,
                    RedisResponseCache sharedCache, QualityStore qualityStore, EvaluationStore evaluationStore,
                    BiasRuns biasRuns, ConfigReloader reloader, AuditLog audit, Clock clock) {
        this.snapshot = requireNonNull(snapshot, "snapshot");
        this.adminKeys = requireNonNull(adminKeys, "adminKeys");
        this.keys = requireNonNull(keys, "keys");
        this.keyStore = keyStore;
        this.ledger = ledger;
        this.quotas = requireNonNull(quotas, "quotas");
        this.clock = requireNonNull(clock, "clock");
        this.config = new ConfigRoutes(requireNonNull(reloader, "reloader"));
        this.cache = requireNonNull(cache, "cache");
        this.sharedCache = sharedCache;
        this.audit = requireNonNull(audit, "audit");
        this.refusals = new RefusedAttempts(audit);
        this.quality = new QualityRoutes(qualityStore, clock);
        this.prompts = new PromptRoutes(snapshot, reloader, this::audited);
        this.experiments = new ExperimentRoutes(snapshot, ledger, reloader, this::audited);
        this.evaluations = new EvaluationRoutes(evaluationStore, biasRuns, this::audited, clock);
    }

    /** {@link #audited}, for the route classes whose changes it records. */
    @FunctionalInterface
    interface Auditing {
        CompletionStage<Reply> audited(String action, String actor, Consumer<JsonLine> details,
                                       Supplier<CompletionStage<Reply>> change);
    }

    /**
     * An answer: a status and a JSON (or CSV) body, whole or streamed.
     *
     * @param body the whole body; null when it is {@code streamed}
     * @param allow the {@code Allow} header of a 405, else null
     * @param streamed the body made as it is sent, or null when it is {@code body}
     */
    record Reply(HttpResponseStatus status, String contentType, String body, String allow, StreamedBody streamed) {
        Reply(HttpResponseStatus status, String contentType, String body) {
            this(status, contentType, body, null, null);
        }

        Reply allowing(String methods) {
            return new Reply(status, contentType, body, methods, streamed);
        }

        /** A 200 whose body is sent a piece at a time. */
        static Reply streamed(String contentType, StreamedBody body) {
            return new Reply(HttpResponseStatus.OK, contentType, null, null, body);
        }

        static Reply json(HttpResponseStatus status, Object tree) {
            try {
                return new Reply(status, "application/json", JSON.writeValueAsString(tree));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        static Reply error(HttpResponseStatus status, String message) {
            return error(status, null, message);
        }

        /** @param code a stable word a client can test ({@code forbidden}), or null */
        static Reply error(HttpResponseStatus status, String code, String message) {
            ObjectNode body = JSON.createObjectNode();
            ObjectNode error = body.putObject("error").put("message", message).put("status", status.code());
            if (code != null) {
                error.put("code", code);
            }
            return json(status, body);
        }
    }

    /** Handles a request under {@code /admin/}; the request is released by the caller after this returns. */
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, String requestId, boolean keepAlive) {
        // HTTP/1.0 has no chunked coding: a streamed body is ended by closing the connection instead.
        boolean chunked = !request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        CompletionStage<Reply> reply;
        try {
            reply = route(request, remote(ctx));
        } catch (IllegalArgumentException e) { // a bad query parameter, worded for the caller
            reply = done(Reply.error(HttpResponseStatus.BAD_REQUEST, e.getMessage()));
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "admin request " + requestId + " failed inside the gateway", e);
            reply = done(Reply.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "The gateway failed to handle this "
                    + "request."));
        }
        reply.whenComplete((r, e) -> ctx.executor().execute(() -> {
            Reply out = r != null ? r : failure(e);
            if (out.streamed() != null) {
                stream(ctx, out, requestId, chunked && keepAlive, chunked);
                return;
            }
            HttpHeaders extra = out.allow() == null ? null : new DefaultHttpHeaders().set(HttpHeaderNames.ALLOW,
                    out.allow());
            HttpReplies.send(ctx, out.status(), out.contentType(),
                    ByteBufUtil.writeUtf8(ctx.alloc(), out.body()), requestId, keepAlive, extra);
        }));
    }

    /**
     * Sends the head of a streamed reply, then its pieces one after another, each once the one before is out:
     * chunked, or, when the client cannot read that, as a body the connection's close ends ({@code keepAlive} is
     * then false).
     */
    private static void stream(ChannelHandlerContext ctx, Reply out, String requestId, boolean keepAlive,
                               boolean chunked) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, out.status());
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, out.contentType()).set(RequestId.HEADER, requestId);
        HttpUtil.setTransferEncodingChunked(head, chunked);
        HttpUtil.setKeepAlive(head, keepAlive);
        ctx.write(head);
        sendNext(ctx, out.streamed(), requestId, keepAlive);
    }

    private static void sendNext(ChannelHandlerContext ctx, StreamedBody body, String requestId, boolean keepAlive) {
        CompletionStage<String> piece;
        try {
            piece = body.next();
        } catch (RuntimeException e) {
            piece = CompletableFuture.failedFuture(e);
        }
        piece.whenComplete((text, error) -> ctx.executor().execute(() -> {
            if (error != null) {
                // The status is out: closing without the last chunk is how the client learns the body is cut.
                LOG.log(Level.WARNING, "admin request " + requestId + ": a streamed reply was cut", error);
                ctx.close();
            } else if (text == null) {
                var done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                if (!keepAlive) {
                    done.addListener(ChannelFutureListener.CLOSE);
                }
            } else if (text.isEmpty()) {
                sendNext(ctx, body, requestId, keepAlive); // an empty chunk would read as the body's end
            } else {
                ctx.writeAndFlush(new DefaultHttpContent(ByteBufUtil.writeUtf8(ctx.alloc(), text)))
                        .addListener(written -> {
                            if (written.isSuccess()) {
                                sendNext(ctx, body, requestId, keepAlive);
                            } // else the client is gone, and the connection with it: nothing more to make
                        });
            }
        }));
    }

    private CompletionStage<Reply> route(FullHttpRequest request, String remote) {
        HttpMethod method = request.method();
        // As sent, for audit lines: the path a refused client tried, before any decoding.
        String sentPath = request.uri().split("\\?", 2)[0];
        if (adminKeys.get().isEmpty()) {
            return done(Reply.error(HttpResponseStatus.FORBIDDEN, "admin_api_off", "The admin API is off: set "
                    + "admin.keys in the config (and leave admin.enabled unset or true)."));
        }
        AdminKey admin = authorised(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (admin == null) {
            refusals.refused(remote, null, method.name(), sentPath, HttpResponseStatus.UNAUTHORIZED.code());
            return done(Reply.error(HttpResponseStatus.UNAUTHORIZED, "unauthorized",
                    "A valid admin key is required."));
        }
        var uri = new QueryStringDecoder(request.uri());
        String[] parts = uri.path().substring("/admin/".length()).split("/", -1);
        Set<HttpMethod> allowed = methods(parts);
        if (allowed.isEmpty()) {
            return done(Reply.error(HttpResponseStatus.NOT_FOUND, "No such admin route."));
        }
        if (!allowed.contains(method)) {
            String allow = allowed.stream().map(HttpMethod::name).sorted().collect(Collectors.joining(", "));
            return done(Reply.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "Use " + allow + " here.")
                    .allowing(allow));
        }
        Set<String> params = switch (parts[0]) {
            case "spend" -> SPEND_PARAMS;
            case "config" -> ConfigRoutes.params(parts);
            case "cache" -> method.equals(HttpMethod.DELETE) ? PURGE_PARAMS : Set.of();
            case "reviews", "feedback" -> QualityRoutes.params();
            case "prompts" -> PromptRoutes.params(parts);
            case "experiments" -> ExperimentRoutes.params(parts);
            case "evaluations" -> EvaluationRoutes.params(parts);
            default -> Set.of();
        };
        for (String given : uri.parameters().keySet()) {
            if (!params.contains(given)) {
                throw new IllegalArgumentException("Unknown query parameter '" + given + "'"
                        + (params.isEmpty() ? "; this route takes none." : "; this route takes: "
                        + String.join(", ", new TreeSet<>(params)) + "."));
            }
        }
        if (admin.role() == AdminKey.Role.VIEWER && !readOnly(parts, method, uri)) {
            refusals.refused(remote, admin.actor(), method.name(), sentPath, HttpResponseStatus.FORBIDDEN.code());
            return done(Reply.error(HttpResponseStatus.FORBIDDEN, "forbidden", "This admin key has the viewer "
                    + "role, which may only read; " + method.name() + " " + uri.path() + " needs the admin role."));
        }
        String actor = admin.actor();
        if (parts[0].equals("cache")) {
            return method.equals(HttpMethod.DELETE)
                    ? purge(param(uri, "model"), param(uri, "scope"), actor) : done(cacheStats(snapshot.get()));
        }
        if (parts[0].equals("config")) {
            return config.route(parts, uri, actor);
        }
        if (parts[0].equals("reviews") || parts[0].equals("feedback")) {
            return quality.route(parts, uri);
        }
        if (parts[0].equals("prompts")) {
            return prompts.route(parts, uri, request.content().toString(StandardCharsets.UTF_8), actor);
        }
        if (parts[0].equals("experiments")) {
            return experiments.route(parts, uri, request.content().toString(StandardCharsets.UTF_8), actor);
        }
        if (parts[0].equals("evaluations")) {
            return evaluations.route(parts, uri, request.content().toString(StandardCharsets.UTF_8), actor);
        }
        RuntimeSnapshot snap = snapshot.get();
        return switch (parts.length) {
            case 1 -> switch (parts[0]) {
                case "keys" -> method.equals(HttpMethod.POST)
                        ? create(request.content().toString(StandardCharsets.UTF_8), snap, actor) : done(list(snap));
                case "spend" -> spend(uri);
                default -> budgets(snap);
            };
            case 2 -> show(parts[1], snap);
            default -> parts[2].equals("revoke")
                    ? change(parts[1], snap, store -> store.setDisabled(parts[1], true), "revoked", actor)
                    : change(parts[1], snap, store -> store.setDisabled(parts[1], false), "enabled", actor);
        };
    }

    /** The methods a path answers; none for a path that is not a route (404). */
    static Set<HttpMethod> methods(String[] parts) {
        boolean named = parts.length > 1 && !parts[1].isEmpty();
        return switch (parts[0]) {
            case "keys" -> switch (parts.length) {
                case 1 -> Set.of(HttpMethod.GET, HttpMethod.POST);
                case 2 -> named ? Set.of(HttpMethod.GET) : Set.of();
                case 3 -> named && (parts[2].equals("revoke") || parts[2].equals("enable"))
                        ? Set.of(HttpMethod.POST) : Set.of();
                default -> Set.of();
            };
            case "spend", "budgets" -> parts.length == 1 ? Set.of(HttpMethod.GET) : Set.of();
            case "config" -> ConfigRoutes.methods(parts);
            case "cache" -> parts.length == 1 ? Set.of(HttpMethod.GET, HttpMethod.DELETE) : Set.of();
            case "reviews", "feedback" -> QualityRoutes.methods(parts);
            case "prompts" -> PromptRoutes.methods(parts);
            case "experiments" -> ExperimentRoutes.methods(parts);
            case "evaluations" -> EvaluationRoutes.methods(parts);
            default -> Set.of();
        };
    }

    /**
     * Whether a request (to a route that answers its method) changes nothing, so that a viewer may send it: every
     * GET, rendering a prompt (no model is called) and a dry-run reload (the file is checked, nothing applied).
     */
    static boolean readOnly(String[] parts, HttpMethod method, QueryStringDecoder uri) {
        if (method.equals(HttpMethod.GET)) {
            return true;
        }
        return switch (parts[0]) {
            case "prompts" -> parts.length == 3 && parts[2].equals("render");
            case "config" -> parts.length == 2 && parts[1].equals("reload") && ConfigRoutes.flag(uri, "dry_run");
            default -> false;
        };
    }

    /**
     * The admin key presented, or null when it is none of them. Constant time over every admin key: the comparison
     * does not tell how close a guess was, nor which key it was close to.
     *
     * <p>A secret that is also a virtual key opens nothing here. The config check keeps the file's keys apart from
     * admin keys, but a runtime key lives in the ledger: listing one later as an admin key would otherwise let its
     * application administer the gateway.
     */
    private AdminKey authorised(String header) {
        String token = KeyRing.bearer(header);
        if (token == null) {
            return null;
        }
        KeyHash hash = KeyHash.of(token);
        byte[] presented = hash.hex().getBytes(StandardCharsets.US_ASCII);
        AdminKey match = null;
        for (AdminKey known : adminKeys.get()) {
            if (MessageDigest.isEqual(presented, known.hash().hex().getBytes(StandardCharsets.US_ASCII))) {
                match = known;
            }
        }
        return match == null || keys.isVirtualKey(hash, snapshot.get().access()) ? null : match;
    }

    /** The peer's IP address, for audit lines. */
    private static String remote(ChannelHandlerContext ctx) {
        SocketAddress address = ctx.channel().remoteAddress();
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(address);
    }

    private CompletionStage<Reply> create(String body, RuntimeSnapshot snap, String actor) {
        if (keyStore == null) {
            return done(Reply.error(HttpResponseStatus.CONFLICT, "Runtime keys need the ledger (storage.ledger)."));
        }
        String raw = unlikeAdminKeys(() -> RawKeys.generate(random), adminKeys.get());
        KeyDrafts.Draft draft = KeyDrafts.read(body, KeyHash.of(raw), clock.instant(), snap);
        if (draft instanceof KeyDrafts.Draft.Invalid invalid) {
            return done(Reply.error(HttpResponseStatus.BAD_REQUEST, String.join("; ", invalid.problems())));
        }
        VirtualKey key = ((KeyDrafts.Draft.Valid) draft).key();
        if (keys.byName(key.name(), snap.access()) != null) {
            return done(Reply.error(HttpResponseStatus.CONFLICT, "A key named '" + key.name() + "' exists."));
        }
        return audited("key.create", actor, line -> line.field("key", key.name()).field("team", key.team())
                        .field("key_hash", key.hash().hex().substring(0, KEY_HASH_HEX)),
                () -> keyStore.create(key).thenCompose(ok -> refreshed()).thenApply(ok -> {
                    ObjectNode out = view(key);
                    out.put("key", raw); // shown once: only its hash is kept
                    return Reply.json(HttpResponseStatus.CREATED, out);
                }));
    }

    /**
     * A key from {@code draw} whose hash is no admin key's: a data-plane key must never open the admin API. With
     * random 32-byte keys a match does not happen in practice; checking costs one comparison per admin key.
     */
    static String unlikeAdminKeys(Supplier<String> draw, List<AdminKey> admins) {
        while (true) {
            String raw = draw.get();
            KeyHash hash = KeyHash.of(raw);
            if (admins.stream().noneMatch(a -> a.hash().equals(hash))) {
                return raw;
            }
        }
    }

    private Reply list(RuntimeSnapshot snap) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode data = out.putArray("data");
        for (VirtualKey key : keys.all(snap.access())) {
            data.add(view(key));
        }
        return Reply.json(HttpResponseStatus.OK, out);
    }

    private CompletionStage<Reply> show(String name, RuntimeSnapshot snap) {
        VirtualKey key = keys.byName(name, snap.access());
        if (key == null) {
            return done(Reply.error(HttpResponseStatus.NOT_FOUND, "No key named '" + name + "'."));
        }
        AccessPolicy policy = snap.access();
        ObjectNode out = view(key);
        Instant now = clock.instant();
        var check = QuotaCheck.at(key.scope(), key.limits(), key.budget(), now, policy.zone());
        return quotas.usage(check, now).thenApply(usage -> {
            out.set("usage", usage(usage));
            return Reply.json(HttpResponseStatus.OK, out);
        });
    }

    private interface KeyChange {
        CompletionStage<Boolean> apply(KeyStore store);
    }

    private CompletionStage<Reply> change(String name, RuntimeSnapshot snap, KeyChange change, String done,
                                          String actor) {
        VirtualKey key = keys.byName(name, snap.access());
        if (key != null && key.source() == VirtualKey.Source.CONFIG) {
            return done(Reply.error(HttpResponseStatus.CONFLICT, "The key '" + name
                    + "' is defined in the config file; change it there."));
        }
        if (keyStore == null) {
            return done(Reply.error(HttpResponseStatus.NOT_FOUND, "No key named '" + name + "'."));
        }
        String action = done.equals("revoked") ? "key.revoke" : "key.enable";
        return audited(action, actor, line -> line.field("key", name),
                () -> change.apply(keyStore).thenCompose(found -> refreshed().thenApply(ok -> found
                        ? Reply.json(HttpResponseStatus.OK, JSON.createObjectNode().put("name", name)
                                .put("status", done))
                        : Reply.error(HttpResponseStatus.NOT_FOUND, "No runtime key named '" + name + "'."))));
    }

    /**
     * The key ring re-read after a change. The change itself is done and answered even when the re-read fails
     * (this replica then picks it up at its next periodic refresh): a created key's one showing must not be lost.
     */
    private CompletionStage<Void> refreshed() {
        return keys.refresh().exceptionally(e -> {
            LOG.log(Level.WARNING, "a key change is stored but the key ring could not re-read it yet", e);
            return null;
        });
    }

    /** The response cache's size and counts since start, and this replica's view of the shared level. */
    private Reply cacheStats(RuntimeSnapshot snap) {
        ResponseCache.CacheStats stats = cache.stats();
        long lookups = stats.hits() + stats.misses();
        ObjectNode out = JSON.createObjectNode().put("enabled", snap.cache().anyEnabled())
                .put("entries", stats.entries()).put("bytes", stats.bytes()).put("max_bytes", snap.cache().maxBytes())
                .put("hits", stats.hits()).put("misses", stats.misses())
                .put("hit_ratio", lookups == 0 ? 0 : (double) stats.hits() / lookups)
                .put("evictions", stats.evictions());
        if (sharedCache != null) {
            RedisResponseCache.Stats shared = sharedCache.stats();
            out.putObject("shared").put("hits", shared.hits()).put("misses", shared.misses())
                    .put("errors", shared.errors());
        }
        return Reply.json(HttpResponseStatus.OK, out);
    }

    /**
     * Removes cached answers: of one model group, one scope ({@code team:<name>}, ...), both, or all; from this
     * replica's store and from the shared one (whose purge every replica then sees).
     */
    private CompletionStage<Reply> purge(String model, String scope, String actor) {
        return audited("cache.purge", actor, line -> line.field("model", model).field("scope", scope), () -> {
            long purged = cache.purge(model, scope);
            CompletionStage<Long> shared = sharedCache == null ? CompletableFuture.completedFuture(null)
                    : sharedCache.purge(model, scope);
            return shared.thenApply(fromRedis -> purged(model, scope, purged, fromRedis));
        });
    }

    private static Reply purged(String model, String scope, long purged, Long fromRedis) {
        ObjectNode out = JSON.createObjectNode().put("purged", purged).put("model", model).put("scope", scope);
        if (fromRedis != null) {
            out.put("shared_purged", fromRedis);
        }
        return Reply.json(HttpResponseStatus.OK, out);
    }

    /**
     * Makes a change once its audit line is on record (stage {@code intent}), then records how it ended (stage
     * {@code done}, with the status answered). A change the audit log cannot record is not made: 503.
     *
     * @param details adds what the change is about to both lines; never a secret
     */
    private CompletionStage<Reply> audited(String action, String actor, Consumer<JsonLine> details,
                                           Supplier<CompletionStage<Reply>> change) {
        JsonLine intent = AuditLog.entry(action, actor).field("stage", "intent");
        details.accept(intent);
        return audit.record(intent).handle((ok, failure) -> failure).thenCompose(failure -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException c ? c.getCause() : failure;
                return done(Reply.error(HttpResponseStatus.SERVICE_UNAVAILABLE, cause.getMessage()));
            }
            return change.get().handle((reply, error) -> {
                JsonLine outcome = AuditLog.entry(action, actor).field("stage", "done")
                        .field("status", reply != null ? reply.status().code() : 500);
                details.accept(outcome);
                // The answer waits for this line, so the trail holds the outcome once the caller has it. The change
                // is made either way: a line the file refuses is in the event log, and does not fail the answer.
                return audit.record(outcome).handle((written, unwritable) -> null)
                        .thenCompose(written -> error == null ? done(reply)
                                : CompletableFuture.<Reply>failedStage(error));
            }).thenCompose(answer -> answer);
        });
    }

    private CompletionStage<Reply> spend(QueryStringDecoder uri) {
        if (ledger == null) {
            return done(Reply.error(HttpResponseStatus.CONFLICT, "Spend reports need the ledger (storage.ledger)."));
        }
        Instant now = clock.instant();
        Instant from = instant(param(uri, "from"), now.minus(java.time.Duration.ofDays(30)), "from");
        Instant to = instant(param(uri, "to"), now.plus(java.time.Duration.ofDays(1)), "to");
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("'to' must be after 'from'.");
        }
        String groupName = param(uri, "group_by");
        GroupBy groupBy;
        try {
            groupBy = groupName == null ? GroupBy.KEY : GroupBy.valueOf(groupName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("group_by must be one of key, team, user, model, deployment, day.");
        }
        String format = param(uri, "format");
        if (format != null && !format.equalsIgnoreCase("csv") && !format.equalsIgnoreCase("json")) {
            throw new IllegalArgumentException("format must be json or csv.");
        }
        boolean csv = "csv".equalsIgnoreCase(format);
        var query = new ReportQuery(from, to, groupBy, param(uri, "key"), param(uri, "team"));
        return ledger.report(query).thenApply(rows -> csv ? csv(groupBy, rows) : json(query, rows));
    }

    private static Reply json(ReportQuery q, List<ReportRow> rows) {
        ObjectNode out = JSON.createObjectNode();
        out.put("from", q.from().toString()).put("to", q.to().toString()).put("group_by", q.groupBy().label());
        ArrayNode data = out.putArray("data");
        for (ReportRow r : rows) {
            data.addObject().put(q.groupBy().label(), r.group()).put("requests", r.requests())
                    .put("failed", r.failed()).put("input_tokens", r.inputTokens())
                    .put("output_tokens", r.outputTokens()).put("cached_input_tokens", r.cachedInputTokens())
                    .put("reasoning_tokens", r.reasoningTokens()).put("cost_usd", r.cost().usd())
                    .put("estimated", r.estimated()).put("cache_hits", r.cacheHits());
        }
        return Reply.json(HttpResponseStatus.OK, out);
    }

    private static Reply csv(GroupBy groupBy, List<ReportRow> rows) {
        StringBuilder out = new StringBuilder(groupBy.label()).append(",requests,failed,input_tokens,output_tokens,"
                + "cached_input_tokens,reasoning_tokens,cost_usd,estimated,cache_hits\r\n");
        for (ReportRow r : rows) {
            out.append(csvField(r.group())).append(',').append(r.requests()).append(',').append(r.failed())
                    .append(',').append(r.inputTokens()).append(',').append(r.outputTokens()).append(',')
                    .append(r.cachedInputTokens()).append(',').append(r.reasoningTokens()).append(',')
                    .append(r.cost().usd()).append(',').append(r.estimated()).append(',').append(r.cacheHits())
                    .append("\r\n");
        }
        return new Reply(HttpResponseStatus.OK, "text/csv; charset=utf-8", out.toString());
    }

    /** RFC 4180 quoting, and a leading quote for values a spreadsheet would run as a formula. */
    static String csvField(String value) {
        if (value == null) {
            return "";
        }
        String safe = !value.isEmpty() && "=+-@".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
        return safe.matches(".*[\",\r\n].*") ? "\"" + safe.replace("\"", "\"\"") + "\"" : safe;
    }

    private CompletionStage<Reply> budgets(RuntimeSnapshot snap) {
        AccessPolicy policy = snap.access();
        Instant now = clock.instant();
        ZoneId zone = policy.zone();
        List<QuotaCheck> checks = new ArrayList<>();
        if (policy.globalBudget() != null) {
            checks.add(QuotaCheck.at(AccessPolicy.GLOBAL_SCOPE, Limits.NONE, policy.globalBudget(), now, zone));
        }
        for (Team team : policy.teams().values()) {
            if (team.budget() != null) {
                checks.add(QuotaCheck.at(team.scope(), team.limits(), team.budget(), now, zone));
            }
        }
        for (VirtualKey key : keys.all(policy)) {
            if (key.budget() != null) {
                checks.add(QuotaCheck.at(key.scope(), key.limits(), key.budget(), now, zone));
            }
        }
        List<CompletableFuture<ObjectNode>> rows = new ArrayList<>();
        for (QuotaCheck c : checks) {
            rows.add(quotas.usage(c, now).thenApply(u -> budgetRow(c, u)).toCompletableFuture());
        }
        return CompletableFuture.allOf(rows.toArray(CompletableFuture[]::new)).thenApply(ok -> {
            ObjectNode out = JSON.createObjectNode();
            ArrayNode data = out.putArray("data");
            rows.forEach(r -> data.add(r.join()));
            return Reply.json(HttpResponseStatus.OK, out);
        });
    }

    private static ObjectNode budgetRow(QuotaCheck c, ScopeUsage u) {
        ObjectNode row = JSON.createObjectNode().put("scope", c.scope()).put("period", c.budget().period().label())
                .put("limit_usd", c.budget().limit().usd()).put("spent_usd", u.spent().usd())
                .put("reserved_usd", u.reserved().usd())
                .put("remaining_usd", c.budget().limit().minus(u.spent()).minus(u.reserved()).usd())
                .put("period_start", c.window().start().toString());
        row.put("resets_at", c.window().resets() ? c.window().end().toString() : null);
        return row;
    }

    private static ObjectNode usage(ScopeUsage u) {
        return JSON.createObjectNode().put("requests_last_minute", u.requests()).put("tokens_last_minute", u.tokens())
                .put("concurrent", u.concurrent()).put("spent_usd", u.spent().usd())
                .put("reserved_usd", u.reserved().usd());
    }

    /** A key as the admin API shows it: never the key, only its hash's first digits. */
    static ObjectNode view(VirtualKey key) {
        ObjectNode out = JSON.createObjectNode().put("name", key.name())
                .put("hash_prefix", key.hash().prefix()).put("source", key.source().name().toLowerCase(Locale.ROOT))
                .put("team", key.team())
                // A key from the file has no known creation time (it is whenever the file was edited).
                .put("created", key.source() == VirtualKey.Source.CONFIG ? null : key.created().toString())
                .put("expires", key.expires() == null ? null : key.expires().toString())
                .put("disabled", key.disabled());
        key.models().stream().sorted().forEach(out.putArray("models")::add);
        key.endpoints().stream().sorted().forEach(out.putArray("endpoints")::add);
        ObjectNode metadata = out.putObject("metadata");
        key.metadata().forEach(metadata::put);
        out.set("limits", limits(key.limits()));
        out.set("budget", budget(key.budget()));
        if (key.perUser() != null) {
            ObjectNode perUser = out.putObject("per_user");
            perUser.set("limits", limits(key.perUser().limits()));
            perUser.set("budget", budget(key.perUser().budget()));
        }
        return out;
    }

    /** A dimension without a limit is null, not 0 (which would read as "nothing allowed"). */
    private static ObjectNode limits(Limits l) {
        ObjectNode out = JSON.createObjectNode();
        out.put("rpm", l.rpm() == 0 ? null : l.rpm());
        out.put("tpm", l.tpm() == 0 ? null : l.tpm());
        out.put("concurrent", l.concurrent() == 0 ? null : l.concurrent());
        return out;
    }

    private static ObjectNode budget(Budget b) {
        if (b == null) {
            return null;
        }
        ObjectNode out = JSON.createObjectNode().put("usd", b.limit().usd()).put("period", b.period().label());
        b.alerts().forEach(out.putArray("alerts")::add);
        return out;
    }

    /** A query parameter's first value; null when it is absent or empty. */
    static String param(QueryStringDecoder uri, String name) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() || values.getFirst().isEmpty() ? null : values.getFirst();
    }

    /** {@code 2026-11-01} (start of that day, UTC) or an ISO instant. */
    static Instant instant(String text, Instant fallback, String name) {
        if (text == null) {
            return fallback;
        }
        try {
            return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + name + "' must be a date (2026-11-01) or an instant "
                    + "(2026-11-01T00:00:00Z).");
        }
    }

    private static Reply failure(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof IllegalArgumentException) {
            return Reply.error(HttpResponseStatus.CONFLICT, cause.getMessage());
        }
        return Reply.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "The store did not answer: "
                + cause.getClass().getSimpleName());
    }

    static CompletionStage<Reply> done(Reply reply) {
        return CompletableFuture.completedFuture(reply);
    }

}
