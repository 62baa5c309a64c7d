package dev.tollgate.server.store;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * One Lettuce connection to Redis, opened lazily and without blocking. Once open, Lettuce reconnects by itself
 * and rejects commands while disconnected, so callers fail fast instead of queueing behind an outage; every
 * command times out after the configured timeout. A first connection that fails is retried at most once a second,
 * on demand.
 *
 * <p>Keys and values are read and written with the codec it was made with: strings for the quota counters, bytes
 * for the cached answers.
 *
 * <p>Thread-safe; nothing blocks except {@link #close}.
 */
final class RedisLink<K, V> implements AutoCloseable {
    private static final long RETRY_NANOS = Duration.ofSeconds(1).toNanos();
    static final Duration RESUBSCRIBE_AFTER = Duration.ofSeconds(5);

    private final RedisClient client;
    private final RedisURI uri;
    private final RedisCodec<K, V> codec;
    private final AtomicReference<CompletableFuture<StatefulRedisConnection<K, V>>> connection =
            new AtomicReference<>();
    private final AtomicLong nextAttempt = new AtomicLong();
    private volatile boolean closed;

    RedisLink(String redisUri, Duration timeout, RedisCodec<K, V> codec) {
        requireNonNull(redisUri, "redisUri");
        requireNonNull(timeout, "timeout");
        this.codec = requireNonNull(codec, "codec");
        this.uri = RedisURI.create(redisUri);
        uri.setTimeout(timeout);
        this.client = RedisClient.create();
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        connect(null);
    }

    /** The async commands, once connected; a failed stage while Redis has never been reachable. */
    CompletionStage<RedisAsyncCommands<K, V>> commands() {
        CompletableFuture<StatefulRedisConnection<K, V>> current = connection.get();
        if (current.isCompletedExceptionally() && System.nanoTime() - nextAttempt.get() >= 0) {
            current = connect(current);
        }
        return current.thenApply(StatefulRedisConnection::async);
    }

    private CompletableFuture<StatefulRedisConnection<K, V>> connect(
            CompletableFuture<StatefulRedisConnection<K, V>> failed) {
        CompletableFuture<StatefulRedisConnection<K, V>> attempt = new CompletableFuture<>();
        if (!connection.compareAndSet(failed, attempt)) {
            return connection.get();
        }
        nextAttempt.set(System.nanoTime() + RETRY_NANOS);
        client.connectAsync(codec, uri).whenComplete((c, error) -> {
            if (error == null) {
                attempt.complete(c);
            } else {
                attempt.completeExceptionally(error);
            }
        });
        return attempt;
    }

    /**
     * Delivers every message published on {@code channel} to {@code listener}, on Lettuce's threads, for as long as
     * this link is open: Lettuce subscribes again after a reconnect, and a Redis that cannot be reached now is
     * tried again every {@link #RESUBSCRIBE_AFTER}.
     */
    void subscribe(K channel, BiConsumer<K, V> listener) {
        client.connectPubSubAsync(codec, uri).whenComplete((pubSub, error) -> {
            if (error != null) {
                if (!closed) {
                    CompletableFuture.delayedExecutor(RESUBSCRIBE_AFTER.toMillis(), TimeUnit.MILLISECONDS)
                            .execute(() -> subscribe(channel, listener));
                }
                return;
            }
            pubSub.addListener(new RedisPubSubAdapter<K, V>() {
                @Override
                public void message(K from, V message) {
                    listener.accept(from, message);
                }
            });
            pubSub.async().subscribe(channel);
        });
    }

    /** Closes the connection (the client closes every connection it opened) and Lettuce's threads. */
    @Override
    public void close() {
        closed = true;
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
