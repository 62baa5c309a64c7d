package dev.tollgate.server.pipeline;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * The decoder result of a request the edge refuses before its body is read or used: answered, in the client's
 * dialect, with the error it carries, and the connection closed (the rest of the request is not read).
 */
final class EdgeRefusal extends RuntimeException {
    private final GatewayError error;

    private EdgeRefusal(GatewayError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    GatewayError error() {
        return error;
    }

    static EdgeRefusal tooManyHeaders(int max) {
        return new EdgeRefusal(GatewayError.of(ErrorKind.HEADERS_TOO_LARGE,
                "The request has more than " + max + " header fields."));
    }

    static EdgeRefusal transferCoding(String coding) {
        return new EdgeRefusal(GatewayError.invalid(null, "unsupported_transfer_encoding",
                "Transfer-Encoding " + shown(coding) + " is not supported; send the body chunked or with Content-Length."));
    }

    static EdgeRefusal contentCoding(String coding) {
        return new EdgeRefusal(GatewayError.of(ErrorKind.UNSUPPORTED_MEDIA_TYPE,
                "Content-Encoding " + shown(coding) + " is not supported; send the body plain, gzip or deflate."));
    }

    static EdgeRefusal badCompressedBody(String coding) {
        return new EdgeRefusal(GatewayError.invalid(null, "malformed_request",
                "The request body is not valid " + coding + " data."));
    }

    static EdgeRefusal inflatedTooLarge(long limit) {
        return new EdgeRefusal(new GatewayError(ErrorKind.PAYLOAD_TOO_LARGE, 413,
                "The decompressed request body is larger than the limit of " + limit + " bytes.", null, null, null));
    }

    /** A client's header value as echoed in an error: short, so a refusal is never a way to reflect a large body. */
    private static String shown(String value) {
        return value.length() <= 32 ? value : value.substring(0, 32) + "...";
    }

    static GatewayError timedOut(boolean inHeaders) {
        return GatewayError.of(ErrorKind.REQUEST_TIMEOUT, inHeaders
                ? "The request headers took too long to arrive."
                : "The request body took too long to arrive.");
    }

    /** The error a request with a failed decoder result is answered with, whichever handler failed it. */
    static GatewayError errorOf(Throwable cause) {
        if (cause instanceof BoundedAggregator.BodyTooLarge tooLarge) {
            return tooLarge.error();
        }
        if (cause instanceof EdgeRefusal refusal) {
            return refusal.error();
        }
        if (cause instanceof TooLongHttpLineException) {
            return GatewayError.of(ErrorKind.URI_TOO_LONG, "The request line is too long.");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return GatewayError.of(ErrorKind.HEADERS_TOO_LARGE, "The request headers are too large.");
        }
        if (cause instanceof TooLongFrameException) {
            return GatewayError.of(ErrorKind.PAYLOAD_TOO_LARGE, "A request chunk is too large.");
        }
        return GatewayError.invalid(null, "malformed_request", "The HTTP request is malformed.");
    }
}
