package dev.tollgate.bench.micro;

import dev.tollgate.core.cache.CacheKey;
import dev.tollgate.core.model.ChatRequest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The response cache's key of a decoded chat request: {@link CacheKey#of}, a SHA-256 over every field that can
 * change the answer, computed for each request to a model that caches before the cache is looked up. The scope is
 * the one {@code gateway.yaml}'s cache policy gives key {@code bench-app} of team {@code bench}.
 */
@State(Scope.Thread)
public class CacheKeyBench extends MicroBench {
    @Param
    public BodySize size;

    private String scope;
    private String model;
    private ChatRequest request;

    @Setup
    public void setUp() {
        model = Api.OPENAI.model();
        scope = Fixtures.snapshot().cache().policy(model).scope().id("bench-app", "bench");
        request = Api.OPENAI.dialect().decodeChat(Api.OPENAI.request(size));
    }

    @Benchmark
    public CacheKey key() {
        return CacheKey.of(scope, model, request);
    }
}
