package dev.tollgate.server.store;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * One Lua script, run by its SHA-1 digest ({@code EVALSHA}); a server that does not know it yet (first use, a
 * restart, {@code SCRIPT FLUSH}) gets the source once with {@code EVAL}, which also caches it there.
 * Immutable and thread-safe; {@link #run} never blocks.
 */
final class LuaScript {
    private final String name;
    private final String source;
    private final String sha;

    private LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha = sha1(source);
    }

    /** The script {@code name}.lua next to this class, after the shared {@code prelude} scripts, in order. */
    static LuaScript load(String name, String... prelude) {
        StringBuilder source = new StringBuilder();
        for (String part : prelude) {
            source.append(resource(part)).append('\n');
        }
        source.append(resource(name));
        return new LuaScript(name, source.toString());
    }

    /** Runs the script; the stage fails with Lettuce's exception when Redis cannot answer. */
    CompletionStage<List<Object>> run(RedisAsyncCommands<String, String> redis, String[] keys, String[] args) {
        requireNonNull(redis, "redis");
        CompletableFuture<List<Object>> first =
                redis.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
        return first.exceptionallyCompose(error -> unwrap(error) instanceof RedisNoScriptException
                ? redis.<List<Object>>eval(source, ScriptOutputType.MULTI, keys, args)
                : CompletableFuture.failedFuture(error));
    }

    @Override
    public String toString() {
        return name + ".lua";
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null
                ? error.getCause() : error;
    }

    private static String resource(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream(name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("missing script " + name + ".lua");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String source) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}
