package dev.tollgate.server.exchange;

/**
 * One request on the proxy port that is answered later, on its connection's loop: the connection's dispatcher
 * holds requests pipelined behind it until it calls back that it is done. Event-loop thread only.
 */
public interface ProxyExchange {

    /** Begins; everything after happens in callbacks on the connection's loop. */
    void start();

    /** The client's socket drained below its low watermark. */
    void onClientWritable();

    /** The client connection closed before the answer was complete. */
    void onClientGone();
}
