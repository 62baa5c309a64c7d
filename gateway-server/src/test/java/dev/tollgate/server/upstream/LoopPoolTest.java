package dev.tollgate.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The pool's hand-over rules, against a server that answers once and closes the idle connection soon after. */
class LoopPoolTest {

    private static final class Recorder implements UpstreamListener {
        final AtomicInteger calls = new AtomicInteger();
        final CountDownLatch ended = new CountDownLatch(1);

        @Override
        public void onMessage(HttpObject msg) {
            calls.incrementAndGet();
            if (msg instanceof LastHttpContent) {
                ended.countDown();
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void onReadComplete() {
        }

        @Override
        public void onClosed(Throwable cause) {
            calls.incrementAndGet();
        }
    }

    @Test
    void aConnectionReturnedAfterAWaiterGaveUpIsNotLeftAttachedToThatWaiter() throws Exception {
        Transport transport = Transport.best();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        try (var server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    int last4 = 0;
                    while (last4 != 0x0d0a0d0a) {
                        last4 = (last4 << 8) | in.read();
                    }
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    Thread.sleep(300); // then the server drops the idle connection
                } catch (Exception e) {
                    // the test fails on its own assertions
                }
            });
            EventLoop loop = group.next();
            var bootstrap = new Bootstrap().group(loop).channel(transport.socketChannel())
                    .option(ChannelOption.AUTO_READ, false);
            var pool = new LoopPool(loop, new Origin(false, "127.0.0.1", server.getLocalPort()), bootstrap, 1, 1);
            bootstrap.handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new HttpClientCodec()).addLast(new UpstreamHandler(pool));
                }
            });

            var first = new Recorder();
            var waiter = new Recorder();
            UpstreamLease lease = loop.submit(() -> pool.acquire(first, Duration.ofSeconds(2))).get()
                    .get(2, TimeUnit.SECONDS);
            Future<UpstreamLease> waited = loop.submit(() -> pool.acquire(waiter, Duration.ofMillis(50))).get();
            waited.await(2, TimeUnit.SECONDS);
            assertThat(waited.cause()).isInstanceOf(PoolExhaustedException.class);

            loop.submit(() -> {
                var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
                request.headers().set(HttpHeaderNames.HOST, "127.0.0.1");
                lease.send(request);
                lease.read();
            }).get();
            assertThat(first.ended.await(2, TimeUnit.SECONDS)).isTrue();
            loop.submit(lease::release).get(); // reusable: pooled, with the gone waiter still queued

            Thread.sleep(800); // the server closes the idle connection meanwhile
            assertThat(waiter.calls.get()).as("callbacks to a waiter that had given up").isZero();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
