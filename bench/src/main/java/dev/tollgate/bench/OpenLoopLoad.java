package dev.tollgate.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Open-loop load for bench/run.sh: sends non-streaming chat completions at a fixed rate whatever the server does,
 * and measures each request from its <em>intended</em> send time (start + i / rate) to the end of its response,
 * into an HdrHistogram. A server that stalls therefore shows the stall in every request scheduled during it,
 * not in one (no coordinated omission). Each request needs a free keep-alive connection; when none is idle a new
 * one is opened (up to {@code --max-conns}), and the wait for it counts in the request's latency.
 *
 * <pre>
 * java -cp tollgate-bench.jar dev.tollgate.bench.OpenLoopLoad --rate 2000 --warmup-s 2 --duration-s 8 \
 *     --target direct=http://127.0.0.1:19002/v1/chat/completions --target gateway=http://127.0.0.1:18080/v1/chat/completions
 * </pre>
 *
 * Runs the targets one after the other (warm-up, then the measured part, at the same rate) and prints one
 * {@code OPEN_RESULT key=value ...} line per target.
 */
public final class OpenLoopLoad {

    static String body(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"system\",\"content\":\"You are a terse assistant.\"},"
                + "{\"role\":\"user\",\"content\":\"Say hello in five words.\"}],\"max_tokens\":16,\"temperature\":0,"
                + "\"stream\":false}";
    }

    /** One scheduled request. */
    record Req(long intendedNs, boolean measured) {}

    static final class Stats {
        final Histogram latency = new Histogram(3_600_000_000L, 3);
        final AtomicLong sent = new AtomicLong();
        final AtomicLong ok = new AtomicLong();
        final AtomicLong badStatus = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong completedAll = new AtomicLong();
        final Map<String, Integer> problems = new TreeMap<>();

        synchronized void record(long micros) {
            latency.recordValue(Math.max(0, micros));
        }

        synchronized void problem(String what) {
            problems.merge(what, 1, Integer::sum);
        }
    }

    private final EventLoopGroup group;
    private final Cli.Target target;
    private final byte[] body;
    private final int maxConns;
    private final Stats stats = new Stats();
    private final ConcurrentLinkedQueue<Conn> idle = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Req> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final Bootstrap bootstrap;
    private boolean quiet;
    private int round = 1;

    OpenLoopLoad(EventLoopGroup group, Cli.Target target, byte[] body, int maxConns) {
        this.group = group;
        this.target = target;
        this.body = body;
        this.maxConns = maxConns;
        this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(4 << 20), new Conn());
                    }
                });
    }

    public static void main(String[] args) throws Exception {
        Cli cli = Cli.parseOrExit("OpenLoopLoad", args);
        List<Cli.Target> targets = cli.targets();
        double rate = Double.parseDouble(cli.require("rate"));
        double warmupS = cli.number("warmup-s", 2);
        double durationS = cli.number("duration-s", 8);
        double timeoutS = cli.number("timeout-s", 5);
        int maxConns = (int) cli.number("max-conns", 4096);
        int threads = (int) cli.number("threads", Math.max(1, Runtime.getRuntime().availableProcessors()));
        byte[] body = body(cli.get("model", "bench-slow")).getBytes(StandardCharsets.UTF_8);
        if (rate <= 0) {
            System.err.println("OpenLoopLoad: --rate must be positive");
            System.exit(2);
        }
        double prewarmS = cli.number("prewarm-s", 0);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        try {
            if (prewarmS > 0) {
                // Unrecorded: JIT-compiles this client (and a cold mock) at the rate before any target is measured,
                // so the first target measured does not pay for it.
                for (Cli.Target t : targets) {
                    var warm = new OpenLoopLoad(group, t, body, maxConns);
                    warm.quiet = true;
                    warm.run(rate, prewarmS, 0, timeoutS);
                    warm.close();
                }
            }
            // Rounds in one JVM (a new client JVM per round would be cold again): round r starts at target r-1,
            // the rotation run.sh uses for wrk.
            int rounds = (int) cli.number("rounds", 1);
            for (int r = 1; r <= rounds; r++) {
                for (int k = 0; k < targets.size(); k++) {
                    Cli.Target t = targets.get((k + r - 1) % targets.size());
                    var load = new OpenLoopLoad(group, t, body, maxConns);
                    load.round = r;
                    load.run(rate, warmupS, durationS, timeoutS);
                    load.close();
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    void run(double rate, double warmupS, double durationS, double timeoutS) throws InterruptedException {
        // Open a few connections ahead (what ~25 ms of traffic needs) so the first requests do not all pay a connect.
        int prewarm = (int) Math.min(maxConns, Math.max(2, Math.ceil(rate * 0.025)));
        for (int i = 0; i < prewarm; i++) {
            try {
                Channel ch = connect().sync().channel();
                idle.add(ch.pipeline().get(Conn.class));
            } catch (Exception e) {
                stats.problem("connect: " + e);
                break;
            }
        }
        double periodNs = 1e9 / rate;
        long total = (long) Math.floor(rate * (warmupS + durationS));
        long warmCount = (long) Math.floor(rate * warmupS);
        long start = System.nanoTime() + 1_000_000;
        long i = 0;
        while (i < total) {
            long now = System.nanoTime();
            long due = start + (long) (i * periodNs);
            if (due > now) {
                // Sleep, never spin: on a small machine a spinning sender would take a core from the servers it
                // measures. Waking late (timer slack, tens of us) is measured too, from the intended time, and
                // costs both targets the same.
                LockSupport.parkNanos(due - now);
                continue;
            }
            // Send everything that is due (after a hiccup of this thread, several at once: still measured from their
            // intended times).
            while (i < total && start + (long) (i * periodNs) <= now) {
                dispatch(new Req(start + (long) (i * periodNs), i >= warmCount));
                i++;
            }
        }
        long endBy = System.nanoTime() + (long) (timeoutS * 1e9);
        while (outstanding.get() > 0 && System.nanoTime() < endBy) {
            Thread.sleep(5);
        }
        long sentMeasured = total - warmCount;
        long stuck = outstanding.get();
        Histogram h;
        synchronized (stats) {
            h = stats.latency.copy();
        }
        long measuredOk = stats.ok.get();
        long errors = stats.badStatus.get() + stats.failed.get() + stuck;
        if (stuck > 0) {
            stats.problem(stuck + " requests without an answer " + timeoutS + " s after the last was sent");
        }
        if (quiet) {
            if (errors > 0) {
                System.err.printf("OPEN_PREWARM target=%s errors=%d%n", target.name(), errors);
            }
            return;
        }
        System.out.printf("OPEN_RESULT round=%d target=%s rate=%.1f duration_s=%.1f sent=%d ok=%d errors=%d bad_status=%d "
                        + "failed=%d unanswered=%d p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f "
                        + "mean_us=%.1f conns=%d%n",
                round, target.name(), rate, durationS, sentMeasured, measuredOk, errors, stats.badStatus.get(),
                stats.failed.get(), stuck, pct(h, 50), pct(h, 90), pct(h, 99), pct(h, 99.9),
                (double) h.getMaxValue(), h.getTotalCount() == 0 ? -1 : h.getMean(), opened.get());
        for (var e : stats.problems.entrySet()) {
            System.err.printf("OPEN_PROBLEM round=%d target=%s count=%d what=%s%n", round, target.name(), e.getValue(), e.getKey());
        }
        System.out.flush();
    }

    private static double pct(Histogram h, double p) {
        return h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(p);
    }

    private ChannelFuture connect() {
        opened.incrementAndGet();
        return bootstrap.connect(target.host(), target.port());
    }

    private void dispatch(Req req) {
        outstanding.incrementAndGet();
        Conn c = idle.poll();
        if (c != null) {
            c.send(req);
            return;
        }
        if (opened.get() < maxConns) {
            connect().addListener((ChannelFuture f) -> {
                if (f.isSuccess()) {
                    f.channel().pipeline().get(Conn.class).send(req);
                } else {
                    fail(req, "connect: " + f.cause());
                }
            });
            return;
        }
        waiting.add(req);
        // A connection may have gone idle between the poll above and the add: take it back for the waiters.
        Conn late = idle.poll();
        if (late != null) {
            late.release();
        }
    }

    private void fail(Req req, String why) {
        stats.failed.incrementAndGet();
        stats.problem(why);
        if (req.measured()) {
            stats.record((System.nanoTime() - req.intendedNs()) / 1000);
        }
        outstanding.decrementAndGet();
    }

    void close() {
        Conn c;
        while ((c = idle.poll()) != null) {
            c.channel.close();
        }
    }

    /** One keep-alive connection: at most one request in flight. */
    private final class Conn extends SimpleChannelInboundHandler<FullHttpResponse> {
        private Channel channel;
        private Req current;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // Set before the connect promise completes: dispatch() sends from that promise's listener.
            channel = ctx.channel();
        }

        void send(Req req) {
            current = req;
            FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, target.path(),
                    Unpooled.wrappedBuffer(body));
            r.headers().set(HttpHeaderNames.HOST, target.hostHeader())
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            String key = System.getenv("BENCH_API_KEY");
            if (key != null && !key.isEmpty()) {
                r.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + key);
            }
            channel.writeAndFlush(r).addListener(f -> {
                if (!f.isSuccess()) {
                    Req failed = current;
                    current = null;
                    if (failed != null) {
                        fail(failed, "write: " + f.cause());
                    }
                    channel.close();
                }
            });
        }

        /** The connection is free: serve a waiting request, or go back to the idle pool. */
        void release() {
            Req next = waiting.poll();
            if (next != null) {
                send(next);
            } else {
                idle.add(this);
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
            long now = System.nanoTime();
            Req req = current;
            current = null;
            if (req == null) {
                stats.problem("response without a request");
                return;
            }
            int code = msg.status().code();
            if (code == 200) {
                stats.ok.addAndGet(req.measured() ? 1 : 0);
            } else {
                stats.badStatus.incrementAndGet();
                stats.problem("HTTP " + code);
            }
            if (req.measured()) {
                stats.record((now - req.intendedNs()) / 1000);
            }
            outstanding.decrementAndGet();
            release();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            opened.decrementAndGet();
            idle.remove(this);
            Req req = current;
            current = null;
            if (req != null) {
                fail(req, "connection closed with a request in flight");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            stats.problem("exception: " + cause);
            ctx.close();
        }
    }
}
