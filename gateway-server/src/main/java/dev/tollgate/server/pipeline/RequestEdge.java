package dev.tollgate.server.pipeline;

import dev.tollgate.core.runtime.ServerSettings;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The edge of one client connection, right after the HTTP codec: header checks the codec does not make, and the
 * read timeouts that free a connection from a client sending slowly or not at all.
 *
 * <p>Checks, on each request head: at most {@code max_headers} fields (431); a {@code Transfer-Encoding} other
 * than plain {@code chunked} (400: the codec already refuses any framing it cannot delimit); a
 * {@code Content-Encoding} this port cannot read (415). A refused head is marked failed for the handler after the
 * aggregator to answer in its own error shape; its body is never read.
 *
 * <p>Timeouts, only while no request on the connection is being answered (a long stream or a slow upstream is
 * never cut by them, nor is an answer a slow reader is still taking in): {@code idle_timeout} from the connection's
 * start or the moment its last answer was sent in full until a request begins
 * (then the connection just closes); {@code request_header_timeout} from a request's first byte until its head is
 * in; {@code request_body_timeout} from there until its last byte. Past either of the latter two, a
 * {@link TimedOut} event goes down the pipeline for the port's handler to answer 408 and close.
 *
 * <p>A request whose first bytes came in the same read as the end of the one before is timed by
 * {@code idle_timeout} rather than {@code request_header_timeout} until its head is in: the bound holds, only
 * looser.
 *
 * <p>One timer per connection at most, re-armed lazily: a state change only moves a deadline, and a task is
 * scheduled only when none is pending or the new deadline comes before it. The hot path pays a clock read per
 * request phase, an {@code instanceof} per message and a listener on each answer's last write.
 */
final class RequestEdge extends ChannelDuplexHandler implements Runnable {
    /** What a request being read has reached. */
    private enum Phase { NONE, HEAD, BODY }

    /** A request took too long to arrive; nothing on the connection has been answered since it began. */
    record TimedOut(HttpRequest head) {
        /** Whether its headers were still arriving (then {@link #head} is null). */
        boolean inHeaders() {
            return head == null;
        }
    }

    private final long headerNanos;
    private final long bodyNanos;
    private final long idleNanos;
    private final int maxHeaders;
    private final boolean inflates;
    private final Arrival arrival = new Arrival();

    private ChannelHandlerContext ctx;
    private Phase phase = Phase.NONE;
    private HttpRequest head;
    /** Requests read in full and not answered yet: the timeouts wait while there is any. */
    private int unanswered;
    /**
     * Answers written and not yet sent in full: the read timeouts wait for these too, so a slow reader still taking
     * in a large answer is never closed as idle (or answered 408) in the middle of it. Meanwhile the timer checks
     * the answer moves: a reader that takes in nothing for a whole {@code idle_timeout} is closed, else it could
     * hold a large answer's buffers for ever.
     */
    private int sending;
    /** The bytes queued to go out at the last such check; -1 before the first. */
    private long pendingAtCheck;
    private final ChannelFutureListener sent = this::sent;
    /** A request still arriving was refused: the connection closes after that answer, and no 408 may follow it. */
    private boolean refused;
    /** When the running timeout expires, on {@link System#nanoTime()}; 0 when none runs. */
    private long deadline;
    private ScheduledFuture<?> timer;
    private long timerDue;

    /** @param inflates whether the port reads gzip and deflate request bodies (else only identity is accepted) */
    RequestEdge(ServerSettings settings, boolean inflates) {
        this.headerNanos = settings.requestHeaderTimeout().toNanos();
        this.bodyNanos = settings.requestBodyTimeout().toNanos();
        this.idleNanos = settings.idleTimeout().toNanos();
        this.maxHeaders = settings.maxHeaders();
        this.inflates = inflates;
    }

    /**
     * The codec's framing rules, explicit rather than left to defaults: RFC 9112 transfer codings (Content-Length
     * with Transfer-Encoding, or a last coding other than chunked, is refused), one Content-Length value only,
     * strict request lines; header names with whitespace before the colon are refused by the codec's validation.
     */
    static HttpDecoderConfig decoderConfig(ServerSettings settings) {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxUriBytes())
                .setMaxHeaderSize(settings.maxHeaderBytes())
                .setValidateHeaders(true)
                .setAllowDuplicateContentLengths(false)
                .setUseRfc9112TransferEncoding(true)
                .setStrictLineParsing(true);
    }

    /** The handler to put before the codec: it sees a request's first byte, which starts its header timeout. */
    ChannelInboundHandlerAdapter arrival() {
        return arrival;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(idleNanos);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        deadline = 0;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            phase = Phase.BODY;
            head = request;
            if (request.decoderResult().isSuccess()) {
                check(request);
            }
            if (!answering()) {
                arm(bodyNanos);
            }
        }
        if (msg instanceof LastHttpContent last) {
            checkTrailers(last);
            phase = Phase.NONE;
            head = null;
            unanswered++;
            deadline = 0;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent && !informational(msg)) {
            if (unanswered == 0) {
                // A refusal of the request still arriving: it closes the connection once sent, and no 408 may
                // follow it, not even once an answer before it has gone out.
                refused = true;
            } else {
                unanswered--;
            }
            if (sending++ == 0) {
                pendingAtCheck = -1;
                arm(idleNanos);
            }
            promise = promise.unvoid();
            promise.addListener(sent);
        }
        ctx.write(msg, promise);
    }

    /** An answer's last byte went out (or the connection failed under it, and is closing). */
    private void sent(ChannelFuture written) {
        if (--sending == 0 && unanswered == 0 && written.isSuccess()) {
            arm(switch (phase) {
                case NONE -> idleNanos;
                case HEAD -> headerNanos;
                case BODY -> bodyNanos;
            });
        }
    }

    private boolean answering() {
        return unanswered > 0 || sending > 0;
    }

    private static boolean informational(Object msg) {
        return msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }

    private void check(HttpRequest request) {
        HttpHeaders headers = request.headers();
        if (headers.size() > maxHeaders) {
            refuse(request, EdgeRefusal.tooManyHeaders(maxHeaders));
            return;
        }
        String transfer = headers.get(HttpHeaderNames.TRANSFER_ENCODING);
        if (transfer != null && !transfer.equalsIgnoreCase("chunked")) {
            refuse(request, EdgeRefusal.transferCoding(transfer));
            return;
        }
        String content = headers.get(HttpHeaderNames.CONTENT_ENCODING);
        if (content != null && ContentCoding.of(headers, inflates) == null) {
            refuse(request, EdgeRefusal.contentCoding(String.join(", ", headers.getAll(HttpHeaderNames.CONTENT_ENCODING))));
        }
    }

    /**
     * Trailer fields are header fields too: a chunked body's trailers count against {@code max_headers} with its
     * head's, else a client could send thousands of fields past the limit at the end of a body. A refused last
     * chunk fails the request the aggregator is collecting, which is then answered 431.
     */
    private void checkTrailers(LastHttpContent last) {
        HttpHeaders trailers = last.trailingHeaders();
        if (!trailers.isEmpty() && head != null && head.decoderResult().isSuccess()
                && head.headers().size() + trailers.size() > maxHeaders) {
            last.setDecoderResult(DecoderResult.failure(EdgeRefusal.tooManyHeaders(maxHeaders)));
        }
    }

    private static void refuse(HttpRequest request, EdgeRefusal refusal) {
        request.setDecoderResult(DecoderResult.failure(refusal));
    }

    /** Runs the timeout of the phase just entered, {@code nanos} from now. */
    private void arm(long nanos) {
        long now = System.nanoTime();
        deadline = now + nanos;
        if (timer == null || deadline - timerDue < 0) {
            if (timer != null) {
                timer.cancel(false);
            }
            timer = ctx.executor().schedule(this, nanos, TimeUnit.NANOSECONDS);
            timerDue = deadline;
        }
    }

    /**
     * The timer: expires the running timeout, or checks an answer still going out moves, or waits on when the
     * deadline was moved later.
     */
    @Override
    public void run() {
        timer = null;
        if (deadline == 0 || unanswered > 0 || !ctx.channel().isActive()) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            timer = ctx.executor().schedule(this, left, TimeUnit.NANOSECONDS);
            timerDue = deadline;
            return;
        }
        deadline = 0;
        if (sending > 0) {
            ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
            long pending = out == null ? 0 : out.totalPendingWriteBytes();
            if (pending != pendingAtCheck) { // still going out, however slowly
                pendingAtCheck = pending;
                arm(idleNanos);
            } else {
                ctx.close();
            }
        } else if (refused) {
            ctx.close(); // its refusal went out; the close that follows it is due anyway
        } else if (phase == Phase.NONE) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(new TimedOut(phase == Phase.HEAD ? null : head));
        }
    }

    /** Before the codec: a byte arriving while no request is being read starts one, and its header timeout. */
    private final class Arrival extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (phase == Phase.NONE) {
                phase = Phase.HEAD;
                if (!answering()) {
                    arm(headerNanos);
                }
            }
            ctx.fireChannelRead(msg);
        }
    }
}
