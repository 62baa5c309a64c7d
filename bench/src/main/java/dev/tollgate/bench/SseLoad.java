package dev.tollgate.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
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
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * SSE load for bench/run.sh: N concurrent streams (one keep-alive connection each), each asking for a streamed
 * tool call whose arguments the mock cuts into {@code --events} fragments paced by its --tokens-per-second.
 * For every stream it records the time from sending the request to the first content event (TTFT), the gap
 * between consecutive argument fragments, and checks that every fragment arrived and that they add up to exactly
 * the arguments the mock sends (no drop, no duplicate, no corruption).
 *
 * <pre>
 * java -cp tollgate-bench.jar dev.tollgate.bench.SseLoad --target direct=http://127.0.0.1:19001/v1/chat/completions \
 *     --target gateway=http://127.0.0.1:18080/v1/chat/completions --concurrency 1,64,512 --streams 1=4,64=2,512=1
 * </pre>
 *
 * With {@code --duration-s}, a connection starts no stream after that many seconds of its run (bench/run.sh's soak:
 * streams back to back for a fixed time, however long each takes); a stream under way then still finishes.
 *
 * Prints one {@code SSE_RESULT key=value ...} line per (concurrency, target) on stdout, in the order run:
 * for each concurrency, each target in the order given. Problems go to stderr as {@code SSE_PROBLEM} lines.
 *
 * Why a tool call: the mock's text answers have at most 24 words (one chunk per word at most), while a tool
 * call's arguments are cut by characters, so a 256-character argument string gives exactly 64 fragments. With
 * 256 characters = 64 estimated tokens, the mock's pause between fragments is 64 / tokens-per-second / 64, so
 * {@code --tokens-per-second 50} gives 20 ms.
 */
public final class SseLoad {

    /** The argument string the mock will send back: {"text":"<245 letters>"} = 256 characters = 64 tokens. */
    static final String FILLER = filler(245);
    static final String EXPECTED_ARGUMENTS = "{\"text\":\"" + FILLER + "\"}";
    static final long STALL_NS = TimeUnit.MILLISECONDS.toNanos(200);
    static final long BUNCHED_NS = TimeUnit.MILLISECONDS.toNanos(5);

    private static String filler(int n) {
        var sb = new StringBuilder(n);
        String alphabet = "abcdefghijklmnopqrstuvwxyz";
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(i % alphabet.length()));
        }
        return sb.toString();
    }

    static String body(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Stream the tool call.\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"emit\",\"description\":\"bench\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\",\"const\":\""
                + FILLER + "\"}}}}}],\"stream\":true}";
    }

    /** What one run (one target, one concurrency) collected. Mutated under its own lock. */
    static final class Run {
        /** No stream starts after this {@link System#nanoTime()}. */
        final long deadlineNs;
        final Histogram ttft = new Histogram(60_000_000L, 3);
        final Histogram gap = new Histogram(60_000_000L, 3);
        long streams;
        long ok;
        long events;
        long expectedEvents;
        long shortStreams;
        long badContent;
        long noDone;
        long badStatus;
        long failed;
        long stalledStreams;
        long bunchedGaps;
        long gaps;
        final Map<String, Integer> problems = new TreeMap<>();

        Run(long deadlineNs) {
            this.deadlineNs = deadlineNs;
        }

        synchronized void problem(String what) {
            problems.merge(what, 1, Integer::sum);
        }
    }

    private final EventLoopGroup group;
    private final int expectedFragments;
    private final long streamTimeoutNs;
    /** How long a run may start streams; 0: until each connection has run its number of streams. */
    private final long durationNs;
    private final String model;

    SseLoad(EventLoopGroup group, int expectedFragments, long streamTimeoutNs, long durationNs, String model) {
        this.group = group;
        this.expectedFragments = expectedFragments;
        this.streamTimeoutNs = streamTimeoutNs;
        this.durationNs = durationNs;
        this.model = model;
    }

    public static void main(String[] args) throws Exception {
        Cli cli = Cli.parseOrExit("SseLoad", args);
        List<Cli.Target> targets = cli.targets();
        List<Integer> concurrencies = new ArrayList<>();
        for (String c : cli.get("concurrency", "1,64,512").split(",")) {
            concurrencies.add(Integer.parseInt(c.trim()));
        }
        Map<Integer, Integer> perConn = new TreeMap<>();
        for (String spec : cli.get("streams", "").split(",")) {
            if (spec.isBlank()) {
                continue;
            }
            String[] kv = spec.split("=");
            perConn.put(Integer.parseInt(kv[0].trim()), Integer.parseInt(kv[1].trim()));
        }
        int events = (int) cli.number("events", 64);
        double timeoutS = cli.number("timeout-s", 15);
        double durationS = cli.number("duration-s", 0);
        double staggerMs = cli.number("stagger-ms", 500);
        int warmupConc = (int) cli.number("warmup-concurrency", 0);
        String model = cli.get("model", "bench-sse");
        int threads = (int) cli.number("threads", Math.max(1, Runtime.getRuntime().availableProcessors()));

        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        try {
            var load = new SseLoad(group, events, (long) (timeoutS * 1e9), (long) (durationS * 1e9), model);
            if (warmupConc > 0) {
                for (Cli.Target t : targets) {
                    Run w = load.run(t, warmupConc, 1, staggerMs);
                    System.err.printf("SSE_WARMUP target=%s conc=%d streams=%d ok=%d%n", t.name(), warmupConc, w.streams, w.ok);
                }
            }
            // Rounds in one JVM; round r starts at target r-1 (the rotation run.sh uses for wrk).
            int rounds = (int) cli.number("rounds", 1);
            for (int round = 1; round <= rounds; round++) {
                for (int c : concurrencies) {
                    int k = perConn.getOrDefault(c, 1);
                    for (int i = 0; i < targets.size(); i++) {
                        Cli.Target t = targets.get((i + round - 1) % targets.size());
                        Run r = load.run(t, c, k, staggerMs);
                        print(round, t, c, r);
                    }
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static void print(int round, Cli.Target t, int conc, Run r) {
        long errors = r.streams - r.ok;
        System.out.printf("SSE_RESULT round=%d target=%s conc=%d streams=%d ok=%d errors=%d events=%d expected_events=%d "
                        + "short_streams=%d bad_content=%d no_done=%d bad_status=%d failed=%d stalled_streams=%d "
                        + "ttft_p50_us=%.1f ttft_p99_us=%.1f ttft_max_us=%.1f gap_p50_us=%.1f gap_p99_us=%.1f "
                        + "gap_max_us=%.1f gaps=%d bunched_gaps=%d%n",
                round, t.name(), conc, r.streams, r.ok, errors, r.events, r.expectedEvents, r.shortStreams, r.badContent,
                r.noDone, r.badStatus, r.failed, r.stalledStreams,
                pct(r.ttft, 50), pct(r.ttft, 99), (double) r.ttft.getMaxValue(),
                pct(r.gap, 50), pct(r.gap, 99), (double) r.gap.getMaxValue(), r.gaps, r.bunchedGaps);
        for (var e : r.problems.entrySet()) {
            System.err.printf("SSE_PROBLEM round=%d target=%s conc=%d count=%d what=%s%n", round, t.name(), conc, e.getValue(), e.getKey());
        }
        System.out.flush();
    }

    private static double pct(Histogram h, double p) {
        return h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(p);
    }

    /** {@code conns} connections, each running {@code perConn} streams back to back; starts spread over the stagger. */
    Run run(Cli.Target target, int conns, int perConn, double staggerMs) throws InterruptedException {
        Run run = new Run(durationNs > 0 ? System.nanoTime() + durationNs : Long.MAX_VALUE);
        var done = new CountDownLatch(conns);
        byte[] body = body(model).getBytes(StandardCharsets.UTF_8);
        long staggerNs = conns <= 1 ? 0 : (long) (staggerMs * 1e6);
        for (int i = 0; i < conns; i++) {
            long delay = conns <= 1 ? 0 : staggerNs * i / conns;
            var conn = new Conn(target, body, perConn, run, done);
            group.next().schedule(conn::connect, delay, TimeUnit.NANOSECONDS);
        }
        long streamsMs = perConn * (streamTimeoutNs / 1_000_000L);
        if (durationNs > 0) {
            // The last stream starts by the deadline, so it ends one stream timeout after it at the latest.
            streamsMs = Math.min(streamsMs, (durationNs + streamTimeoutNs) / 1_000_000L);
        }
        long limit = (long) (staggerNs / 1e6) + streamsMs + 10_000;
        if (!done.await(limit, TimeUnit.MILLISECONDS)) {
            run.problem("run did not finish within " + limit + " ms");
        }
        synchronized (run) {
            return run;
        }
    }

    /** One connection running its streams one after the other. */
    private final class Conn extends SimpleChannelInboundHandler<HttpObject> {
        private final Cli.Target target;
        private final byte[] body;
        private final Run run;
        private final CountDownLatch done;
        private int remaining;
        private Channel channel;
        private boolean finished;

        // The stream in progress.
        private boolean active;
        private long sentNs;
        private int status;
        private long firstContentNs;
        private final StringBuilder pending = new StringBuilder();
        private final StringBuilder arguments = new StringBuilder();
        private long[] fragmentNs = new long[128];
        private int fragments;
        private boolean sawDone;
        private ScheduledFuture<?> timeout;

        Conn(Cli.Target target, byte[] body, int streams, Run run, CountDownLatch done) {
            this.target = target;
            this.body = body;
            this.remaining = streams;
            this.run = run;
            this.done = done;
        }

        void connect() {
            var b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(4096, 16384, 1 << 20), Conn.this);
                        }
                    });
            b.connect(target.host(), target.port()).addListener(f -> {
                if (!f.isSuccess()) {
                    failAll("connect: " + f.cause());
                    return;
                }
                channel = ((io.netty.channel.ChannelFuture) f).channel();
                channel.closeFuture().addListener(c -> {
                    if (active) {
                        failStream("connection closed mid-stream after " + fragments + " fragments");
                    }
                    if (remaining > 0) {
                        failAll("connection closed with streams left");
                    }
                    finish();
                });
                next();
            });
        }

        private void next() {
            if (remaining > 0 && System.nanoTime() >= run.deadlineNs) {
                remaining = 0;   // the run's time is up: the streams not started are not owed
            }
            if (remaining <= 0) {
                finish();
                channel.close();
                return;
            }
            remaining--;
            active = true;
            status = 0;
            firstContentNs = 0;
            pending.setLength(0);
            arguments.setLength(0);
            fragments = 0;
            sawDone = false;
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, target.path(),
                    Unpooled.wrappedBuffer(body));
            req.headers().set(HttpHeaderNames.HOST, target.hostHeader())
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .set(HttpHeaderNames.ACCEPT, "text/event-stream")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            String key = System.getenv("BENCH_API_KEY");
            if (key != null && !key.isEmpty()) {
                req.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + key);
            }
            sentNs = System.nanoTime();
            timeout = channel.eventLoop().schedule(() -> {
                if (active) {
                    failStream("stream not finished after " + streamTimeoutNs / 1_000_000 + " ms ("
                            + fragments + " fragments so far)");
                    remaining = 0;
                    channel.close();
                }
            }, streamTimeoutNs, TimeUnit.NANOSECONDS);
            channel.writeAndFlush(req);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            long now = System.nanoTime();
            if (!active) {
                return;
            }
            if (msg instanceof HttpResponse r) {
                status = r.status().code();
            }
            if (msg instanceof HttpContent c) {
                ByteBuf buf = c.content();
                if (buf.isReadable()) {
                    pending.append(buf.toString(StandardCharsets.ISO_8859_1));
                    parse(now);
                }
                if (msg instanceof LastHttpContent) {
                    complete();
                }
            }
        }

        /** Takes every complete SSE event ("...\n\n") off the front of {@code pending}. */
        private void parse(long now) {
            int start = 0;
            while (true) {
                int end = pending.indexOf("\n\n", start);
                if (end < 0) {
                    break;
                }
                event(pending.substring(start, end), now);
                start = end + 2;
            }
            if (start > 0) {
                pending.delete(0, start);
            }
        }

        private void event(String block, long now) {
            for (String line : block.split("\n")) {
                if (line.endsWith("\r")) {
                    line = line.substring(0, line.length() - 1);
                }
                if (!line.startsWith("data:")) {
                    continue;   // comments (": keep-alive"), event:, id:
                }
                String data = line.substring(5).strip();
                if (data.equals("[DONE]")) {
                    sawDone = true;
                    continue;
                }
                if (!data.contains("\"tool_calls\":[")) {
                    continue;   // role chunk, finish chunk, usage chunk
                }
                if (firstContentNs == 0) {
                    firstContentNs = now;
                }
                String fragment = argumentsOf(data);
                if (fragment != null && !fragment.isEmpty()) {
                    if (fragments == fragmentNs.length) {
                        fragmentNs = java.util.Arrays.copyOf(fragmentNs, fragments * 2);
                    }
                    fragmentNs[fragments++] = now;
                    arguments.append(fragment);
                }
            }
        }

        private void complete() {
            active = false;
            if (timeout != null) {
                timeout.cancel(false);
            }
            boolean ok = true;
            String why = null;
            synchronized (run) {
                run.streams++;
                run.events += fragments;
                run.expectedEvents += expectedFragments;
                if (status != 200) {
                    ok = false;
                    run.badStatus++;
                    why = "HTTP " + status;
                } else {
                    if (fragments < expectedFragments) {
                        ok = false;
                        run.shortStreams++;
                        why = "short stream: " + fragments + " of " + expectedFragments + " fragments";
                    } else if (fragments > expectedFragments) {
                        ok = false;
                        run.badContent++;
                        why = "too many fragments: " + fragments + " (expected " + expectedFragments + ")";
                    }
                    if (ok && !arguments.toString().equals(EXPECTED_ARGUMENTS)) {
                        ok = false;
                        run.badContent++;
                        why = "arguments differ from what the mock sent (" + arguments.length() + " chars)";
                    }
                    if (!sawDone) {
                        ok = false;
                        run.noDone++;
                        why = why == null ? "no [DONE]" : why + ", no [DONE]";
                    }
                }
                if (firstContentNs != 0) {
                    run.ttft.recordValue(Math.max(0, (firstContentNs - sentNs) / 1000));
                }
                boolean stalled = false;
                for (int i = 1; i < fragments; i++) {
                    long g = fragmentNs[i] - fragmentNs[i - 1];
                    run.gap.recordValue(Math.max(0, g / 1000));
                    run.gaps++;
                    if (g < BUNCHED_NS) {
                        run.bunchedGaps++;
                    }
                    if (g > STALL_NS) {
                        stalled = true;
                    }
                }
                if (stalled) {
                    run.stalledStreams++;
                }
                if (ok) {
                    run.ok++;
                }
            }
            if (why != null) {
                run.problem(why);
            }
            next();
        }

        private void failStream(String why) {
            active = false;
            synchronized (run) {
                run.streams++;
                run.failed++;
                run.events += fragments;
                run.expectedEvents += expectedFragments;
            }
            run.problem(why);
        }

        private void failAll(String why) {
            synchronized (run) {
                run.streams += remaining;
                run.failed += remaining;
                run.expectedEvents += (long) remaining * expectedFragments;
            }
            if (remaining > 0) {
                run.problem(why);
            }
            remaining = 0;
            finish();
        }

        private void finish() {
            if (!finished) {
                finished = true;
                done.countDown();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            run.problem("exception: " + cause);
            ctx.close();
        }
    }

    /** The JSON string value after {@code "arguments":"} in an SSE data line, unescaped; null when absent. */
    static String argumentsOf(String data) {
        int i = data.indexOf("\"arguments\":\"");
        if (i < 0) {
            return null;
        }
        i += "\"arguments\":\"".length();
        var out = new StringBuilder();
        while (i < data.length()) {
            char c = data.charAt(i++);
            if (c == '"') {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i >= data.length()) {
                break;
            }
            char e = data.charAt(i++);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    if (i + 4 > data.length()) {
                        return out.toString();
                    }
                    out.append((char) Integer.parseInt(data.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> out.append(e);   // \" \\ \/
            }
        }
        return out.toString();
    }
}
