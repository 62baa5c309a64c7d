package dev.tollgate.server.testing;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** A random key prefix for one test class on the machine's Redis, and the removal of its keys afterwards. */
public final class RedisKeysCleaner {
    public static final String URI = "redis://127.0.0.1:6379";

    private RedisKeysCleaner() {
    }

    public static String randomPrefix(String owner) {
        return "tollgate-test:" + owner + ":" + UUID.randomUUID() + ":";
    }

    /** Every key under {@code prefix} with its time to live in milliseconds (-1: none). */
    public static Map<String, Long> ttlsMillis(String prefix) {
        RedisClient client = RedisClient.create(URI);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            Map<String, Long> ttls = new TreeMap<>();
            for (String key : redis.keys(prefix + "*")) {
                ttls.put(key, redis.pttl(key));
            }
            return ttls;
        } finally {
            client.shutdown();
        }
    }

    /** Deletes every key under {@code prefix}; returns how many there were. */
    public static long deleteAll(String prefix) {
        RedisClient client = RedisClient.create(URI);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            long deleted = 0;
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(500));
                if (!page.getKeys().isEmpty()) {
                    deleted += redis.del(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
            return deleted;
        } finally {
            client.shutdown();
        }
    }
}
