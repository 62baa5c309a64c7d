package dev.tollgate.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.runtime.ServerSettings;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RequestEdge on an embedded channel: when its timeouts start, and what it counts as a header field. */
class RequestEdgeTest {
    private static final Duration SHORT = Duration.ofMillis(300);
    private static final int MAX_HEADERS = 16;

    private EmbeddedChannel channel;

    /**
     * Loads the codec's and the channel's classes once, so that in the timed tests the answer is written long
     * before the first timeout falls due: they count how many times the timer checks an unsent answer.
     */
    @BeforeAll
    static void warmUp() {
        EmbeddedChannel warm = edge(settings());
        warm.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nhost: x\r\n\r\n", StandardCharsets.US_ASCII));
        warm.writeAndFlush(answer());
        warm.finishAndReleaseAll();
    }

    @AfterEach
    void release() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void theIdleTimeoutStartsOnlyOnceTheLastAnswerIsSent() throws Exception {
        channel = edge(settings());
        releaseAll(read("GET /v1/models HTTP/1.1\r\nhost: x\r\n\r\n"));

        // Written but not yet sent, as to a client reading a large answer slowly: not idle.
        channel.write(answer());
        pastOneTimeout();
        assertThat(channel.isOpen()).as("open while its answer is still going out").isTrue();

        channel.flush();
        pastOneTimeout();
        pastOneTimeout();
        assertThat(channel.isOpen()).as("closed once idle after the answer went out").isFalse();
    }

    @Test
    void closesAReaderThatTakesInNothingOfItsAnswerForAWholeIdleTimeout() throws Exception {
        channel = edge(settings());
        releaseAll(read("GET /v1/models HTTP/1.1\r\nhost: x\r\n\r\n"));

        channel.write(answer());
        pastOneTimeout();
        assertThat(channel.isOpen()).isTrue();
        pastOneTimeout();
        assertThat(channel.isOpen()).as("not a byte went out for a whole idle_timeout").isFalse();
    }

    @Test
    void noTimeoutFollowsTheRefusalOfARequestStillArriving() throws Exception {
        List<Object> events = new ArrayList<>();
        channel = edge(settings());
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                events.add(event);
            }
        });
        releaseAll(read("GET /v1/models HTTP/1.1\r\nhost: x\r\n\r\n"));
        channel.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        // A pipelined request refused from its head (say, 413 by Content-Length) while the answer before it is
        // still going out: its body never arrives, and the connection closes after the refusal.
        releaseAll(read("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n"));
        channel.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE));
        channel.flush();

        Thread.sleep(SHORT.toMillis() * 3);
        channel.runScheduledPendingTasks();
        assertThat(events).as("no 408 after the refusal").noneMatch(RequestEdge.TimedOut.class::isInstance);
    }

    @Test
    void trailerFieldsCountAgainstTheHeaderLimit() {
        channel = edge(settings());
        var trailers = new StringBuilder();
        for (int i = 0; i < MAX_HEADERS; i++) {
            trailers.append("x-t").append(i).append(": v\r\n");
        }
        List<HttpObject> read = read("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n"
                + "2\r\n{}\r\n0\r\n" + trailers + "\r\n");
        LastHttpContent last = (LastHttpContent) read.get(read.size() - 1);
        assertThat(last.decoderResult().cause()).isInstanceOf(EdgeRefusal.class);
        assertThat(((EdgeRefusal) last.decoderResult().cause()).error().httpStatus()).isEqualTo(431);
        releaseAll(read);
    }

    @Test
    void aFewTrailerFieldsPass() {
        channel = edge(settings());
        List<HttpObject> read = read("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n"
                + "2\r\n{}\r\n0\r\nx-checksum: abc\r\n\r\n");
        assertThat(read).allMatch(o -> o.decoderResult().isSuccess());
        releaseAll(read);
    }

    private static DefaultFullHttpResponse answer() {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(new byte[1024]));
    }

    /**
     * Lets a little more than one timeout pass, then runs what fell due on the channel's loop, once: a timer the
     * run re-arms waits for the next call, however slow the machine.
     */
    private void pastOneTimeout() throws InterruptedException {
        Thread.sleep(SHORT.toMillis() * 3 / 2);
        channel.runScheduledPendingTasks();
    }

    private static EmbeddedChannel edge(ServerSettings settings) {
        var edge = new RequestEdge(settings, true);
        return new EmbeddedChannel(edge.arrival(), new HttpServerCodec(RequestEdge.decoderConfig(settings)), edge);
    }

    private List<HttpObject> read(String wire) {
        channel.writeInbound(Unpooled.copiedBuffer(wire, StandardCharsets.US_ASCII));
        List<HttpObject> out = new ArrayList<>();
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            out.add((HttpObject) msg);
        }
        return out;
    }

    private static void releaseAll(List<HttpObject> objects) {
        objects.forEach(ReferenceCountUtil::release);
    }

    /** The defaults with every read timeout at its shortest and the smallest header-count limit. */
    private static ServerSettings settings() {
        ServerSettings d = ServerSettings.DEFAULTS;
        return new ServerSettings(d.listen(), d.adminListen(), d.ioThreads(), d.maxRequestBytes(), d.maxHeaderBytes(),
                d.maxUriBytes(), MAX_HEADERS, SHORT, SHORT, SHORT, d.maxConnections(), d.maxStreams(),
                d.maxResponseBytes(), d.streamKeepAlive(), d.accessLog(), d.shutdownDelay(), d.shutdownGrace(),
                d.watchConfig(), d.logLevel(), d.auditLog());
    }
}
