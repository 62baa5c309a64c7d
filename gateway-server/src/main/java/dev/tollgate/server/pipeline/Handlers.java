package dev.tollgate.server.pipeline;

/**
 * Names of pipeline handlers, in one place. The proxy's client-side pipeline:
 *
 * <pre>
 *  socket (past ConnectionCap at accept: server.max_connections)
 *    -> {@value #ARRIVAL}        RequestEdge's first-byte watch: starts the header timeout
 *    -> {@value #CODEC}          HttpServerCodec: request line and header limits (414 / 431 on overflow), RFC 9112
 *                                framing (no duplicate Content-Length, no Content-Length with Transfer-Encoding)
 *    -> {@value #EDGE}           RequestEdge: header count, transfer and content codings, read timeouts (408)
 *    -> {@value #AGGREGATOR}     BoundedAggregator: whole request body, 413 from Content-Length before reading
 *    -> {@value #DISPATCHER}     ProxyDispatcher: request id, route table, body decoding, one ChatExchange at a time
 * </pre>
 *
 * The admin port's pipeline has the same edge, then {@value #ADMIN_SEQUENCER} (AdminSequencer: one request answered
 * at a time, in order), {@value #ADMIN_EDGE} (AdminEdge: refusals in the admin shape) and {@value #ADMIN}.
 *
 * The upstream side ({@code upstream} package): {@value #TLS} (https only) -> {@value #CODEC} (HttpClientCodec)
 * -> {@value #UPSTREAM} (UpstreamHandler, delivering to the exchange that holds the connection). Responses to the
 * client are written directly by the exchange; nothing aggregates them, so streams flow event by event.
 */
public final class Handlers {
    public static final String TLS = "tls";
    public static final String ARRIVAL = "arrival";
    public static final String CODEC = "http";
    public static final String EDGE = "edge";
    public static final String AGGREGATOR = "aggregator";
    public static final String DISPATCHER = "dispatcher";
    public static final String UPSTREAM = "upstream";
    public static final String ADMIN_SEQUENCER = "admin-sequencer";
    public static final String ADMIN_EDGE = "admin-edge";
    public static final String ADMIN = "admin";
    public static final String MOCK = "mock";

    private Handlers() {}
}
