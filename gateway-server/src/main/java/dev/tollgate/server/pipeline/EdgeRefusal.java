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
    static final String TOO_LARGE = "request_too_large";
    private static final String HEADERS_TOO_LARGE = "headers_too_large";

    private final GatewayError error;

    private EdgeRefusal(GatewayError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    GatewayError error() {
        return error;
    }

    static EdgeRefusal tooManyHeaders(int max) {
        return new EdgeRefusal(edge(ErrorKind.HEADERS_TOO_LARGE, HEADERS_TOO_LARGE,
                "The request has more than " + max + " header fields."));
    }

    static EdgeRefusal transferCoding(String coding) {
        return new EdgeRefusal(GatewayError.invalid(null, "unsupported_transfer_encoding",
                "Transfer-Encoding " + shown(coding) + " is not supported; send the body chunked or with Content-Length."));
    }

    static EdgeRefusal contentCoding(String coding) {
        return new EdgeRefusal(edge(ErrorKind.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                "Content-Encoding " + shown(coding) + " is not supported; send the body plain, gzip or deflate."));
    }

    static EdgeRefusal badCompressedBody(String coding) {
        return new EdgeRefusal(GatewayError.invalid(null, "malformed_request",
                "The request body is not valid " + coding + " data."));
    }

    static EdgeRefusal inflatedTooLarge(long limit) {
        return new EdgeRefusal(edge(ErrorKind.PAYLOAD_TOO_LARGE, TOO_LARGE,
                "The decompressed request body is larger than the limit of " + limit + " bytes."));
    }

    /** A client's header value as echoed in an error: short, so a refusal is never a way to reflect a large body. */
    private static String shown(String value) {
        return value.length() <= 32 ? value : value.substring(0, 32) + "...";
    }

    static GatewayError timedOut(boolean inHeaders) {
        return edge(ErrorKind.REQUEST_TIMEOUT, "request_timeout", inHeaders
                ? "The request headers took too long to arrive."
                : "The request body took too long to arrive.");
    }

    /**
     * An edge error with its code set rather than left to the dialect's default: the admin port, which has no
     * dialect, then gives the same {@code code} for a refusal as the proxy port's OpenAI shape does.
     */
    private static GatewayError edge(ErrorKind kind, String code, String message) {
        return new GatewayError(kind, kind.defaultStatus(), message, null, code, null);
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
            return edge(ErrorKind.URI_TOO_LONG, "uri_too_long", "The request line is too long.");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return edge(ErrorKind.HEADERS_TOO_LARGE, HEADERS_TOO_LARGE, "The request headers are too large.");
        }
        if (cause instanceof TooLongFrameException) {
            return edge(ErrorKind.PAYLOAD_TOO_LARGE, TOO_LARGE, "A request chunk is too large.");
        }
        return GatewayError.invalid(null, "malformed_request", "The HTTP request is malformed.");
    }
}
