package dev.tollgate.bench.micro;

import dev.tollgate.core.spi.ClientDialect;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.RequestEnvelope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Finding the model in a request body: {@link ClientDialect#envelope}, the one streaming pass (no JSON tree) that
 * every proxied request starts with. It reads {@code model}, {@code stream}, the user and the output cap, checks the
 * shape of {@code messages} and skips everything else; for a same-dialect passthrough it is the only read of the
 * body at all. A {@link BodySize#LARGE} body puts the model after 64 KB of history.
 */
@State(Scope.Thread)
public class ModelFieldBench extends MicroBench {
    @Param
    public Api api;
    @Param
    public BodySize size;

    private ClientDialect dialect;
    private byte[] body;

    @Setup
    public void setUp() {
        dialect = api.dialect();
        body = api.request(size);
    }

    @Benchmark
    public RequestEnvelope envelope() {
        return dialect.envelope(body, Operation.CHAT);
    }
}
