package dev.tollgate.server.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.quality.Feedback;
import dev.tollgate.core.spi.ClientDialect;
import dev.tollgate.server.exchange.ChatExchange;
import dev.tollgate.server.exchange.ProxyExchange;
import dev.tollgate.server.quality.FeedbackDesk;
import dev.tollgate.server.quality.ScoreJson;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/**
 * One {@code POST /v1/feedback}: handed to the {@link FeedbackDesk} (which may ask the ledger, off this loop),
 * then answered on the connection's loop. Answers {@code 200} with what was recorded:
 *
 * <pre>
 * {"object":"feedback","request_id":"req_...","score":4,"normalized_score":0.75,"model":"fast",
 *  "tier":null,"variant":null,"stored":true}
 * </pre>
 *
 * {@code stored} is false when the gateway runs without a ledger (the score is then counted in the metrics only).
 */
final class FeedbackExchange implements ProxyExchange {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where the dispatcher hears how it ended, for the metrics and the access log. */
    interface Ended {
        void ended(int status, ErrorKind kind);
    }

    private final ChannelHandlerContext ctx;
    private final FeedbackDesk desk;
    private final ClientDialect dialect;
    private final String key;
    private final byte[] body;
    private final String requestId;
    private final boolean keepAlive;
    private final Ended ended;
    private final ChatExchange.Done done;
    private boolean gone;

    FeedbackExchange(ChannelHandlerContext ctx, FeedbackDesk desk, ClientDialect dialect, String key, byte[] body,
                     String requestId, boolean keepAlive, Ended ended, ChatExchange.Done done) {
        this.ctx = ctx;
        this.desk = desk;
        this.dialect = dialect;
        this.key = key;
        this.body = body;
        this.requestId = requestId;
        this.keepAlive = keepAlive;
        this.ended = ended;
        this.done = done;
    }

    @Override
    public void start() {
        desk.rate(key, body).whenComplete((result, failure) -> ctx.executor().execute(() -> answer(result != null
                ? result : new FeedbackDesk.Result.Refused(GatewayError.of(ErrorKind.INTERNAL,
                        "The gateway failed to handle this request.")))));
    }

    private void answer(FeedbackDesk.Result result) {
        if (!gone) {
            switch (result) {
                case FeedbackDesk.Result.Accepted a -> {
                    HttpReplies.json(ctx, HttpResponseStatus.OK, body(a).getBytes(StandardCharsets.UTF_8), requestId,
                            keepAlive);
                    ended.ended(200, null);
                }
                case FeedbackDesk.Result.Refused r -> {
                    HttpReplies.error(ctx, dialect, r.error(), requestId, keepAlive);
                    ended.ended(r.error().httpStatus(), r.error().kind());
                }
            }
        }
        done.done(keepAlive && !gone);
    }

    private static String body(FeedbackDesk.Result.Accepted a) {
        Feedback f = a.feedback();
        ObjectNode out = JSON.createObjectNode().put("object", "feedback")
                .put("request_id", f.request().requestId());
        ScoreJson.put(out, f.score()).put("model", f.request().model())
                .put("tier", f.request().tier()).put("variant", f.request().variant()).put("stored", a.stored());
        return out.toString();
    }

    @Override
    public void onClientWritable() {
        // The answer is one small body: nothing waits for the socket to drain.
    }

    @Override
    public void onClientGone() {
        gone = true; // the feedback is still taken; only the answer has nobody to go to
    }
}
