package dev.tollgate.server.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * The request body codings the proxy reads. Anything else (br, zstd, compress, an unknown name, or codings
 * stacked in one header or over several) is refused with 415 before the body is read: a coding the gateway cannot
 * bound is a coding it does not accept.
 */
enum ContentCoding {
    IDENTITY,
    GZIP,
    /** The zlib format, as RFC 9110 defines {@code deflate}. */
    DEFLATE;

    private static final int MIN_BUFFER = 8 << 10;

    /**
     * The coding a request's {@code Content-Encoding} names, or null when unsupported; only {@link #IDENTITY} when
     * the port does not {@code inflate}. Call only when the header is present.
     */
    static ContentCoding of(HttpHeaders headers, boolean inflate) {
        if (headers.getAll(HttpHeaderNames.CONTENT_ENCODING).size() != 1) {
            return null;
        }
        String name = headers.get(HttpHeaderNames.CONTENT_ENCODING).trim();
        if (name.equalsIgnoreCase("identity")) {
            return IDENTITY;
        }
        if (!inflate) {
            return null;
        }
        if (name.equalsIgnoreCase("gzip") || name.equalsIgnoreCase("x-gzip")) {
            return GZIP;
        }
        return name.equalsIgnoreCase("deflate") ? DEFLATE : null;
    }

    /**
     * A request body as the dialects read it: decoded when it came compressed, in which case the
     * {@code Content-Encoding} header is dropped (and {@code Content-Length} made true) so nothing after this sees
     * a coding. A body without the header pays one header look-up.
     *
     * @param limit the largest decoded body accepted: decoding stops there, never holding more than this
     * @throws EdgeRefusal when the decoded body would pass the limit (413) or the data is not of its coding (400)
     */
    static byte[] decodedBody(HttpHeaders headers, ByteBuf content, int limit) {
        String named = headers.get(HttpHeaderNames.CONTENT_ENCODING);
        if (named == null) {
            return ByteBufUtil.getBytes(content);
        }
        ContentCoding coding = of(headers, true); // null only for a coding RequestEdge has refused already
        if (coding == null) {
            throw EdgeRefusal.contentCoding(named);
        }
        byte[] body = coding == IDENTITY ? ByteBufUtil.getBytes(content) : coding.inflate(content, limit);
        headers.remove(HttpHeaderNames.CONTENT_ENCODING);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return body;
    }

    private byte[] inflate(ByteBuf content, int limit) {
        String name = name().toLowerCase(java.util.Locale.ROOT);
        // Start near a typical JSON compression ratio and grow by doubling, never past the limit.
        byte[] out = new byte[(int) Math.min(limit, Math.max(MIN_BUFFER, 4L * content.readableBytes()))];
        int size = 0;
        try (InputStream in = this == GZIP
                ? new GZIPInputStream(new ByteBufInputStream(content.duplicate()), MIN_BUFFER)
                : new InflaterInputStream(new ByteBufInputStream(content.duplicate()))) {
            while (true) {
                if (size == out.length) {
                    if (size == limit) {
                        if (in.read() != -1) {
                            throw EdgeRefusal.inflatedTooLarge(limit);
                        }
                        break;
                    }
                    out = Arrays.copyOf(out, (int) Math.min(limit, 2L * out.length));
                }
                int n = in.read(out, size, out.length - size);
                if (n < 0) {
                    break;
                }
                size += n;
            }
        } catch (IOException e) { // ZipException, or EOF inside the stream: not data of this coding
            throw EdgeRefusal.badCompressedBody(name);
        }
        return size == out.length ? out : Arrays.copyOf(out, size);
    }
}
