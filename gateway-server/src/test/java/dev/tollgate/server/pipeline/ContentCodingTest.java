package dev.tollgate.server.pipeline;

import static dev.tollgate.server.testing.Compression.deflate;
import static dev.tollgate.server.testing.Compression.gzip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.model.ErrorKind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ContentCodingTest {
    private static final int LIMIT = 4096;

    @Test
    void leavesAPlainBodyAsItIs() {
        HttpHeaders headers = new DefaultHttpHeaders();
        ByteBuf content = Unpooled.wrappedBuffer(new byte[] {'{', '}'});
        assertThat(ContentCoding.decodedBody(headers, content, LIMIT)).containsExactly('{', '}');
        assertThat(headers.isEmpty()).isTrue();
    }

    @Test
    void inflatesUpToTheLimitExactlyAndDropsTheCoding() throws IOException {
        byte[] plain = filled(LIMIT);
        HttpHeaders headers = coded("gzip");
        assertThat(ContentCoding.decodedBody(headers, Unpooled.wrappedBuffer(gzip(plain)), LIMIT)).isEqualTo(plain);
        assertThat(headers.contains("content-encoding")).isFalse();
        assertThat(headers.getInt("content-length")).isEqualTo(LIMIT);

        HttpHeaders zlib = coded("Deflate");
        assertThat(ContentCoding.decodedBody(zlib, Unpooled.wrappedBuffer(deflate(plain)), LIMIT)).isEqualTo(plain);
    }

    @Test
    void refusesOneByteMoreThanTheLimit() throws IOException {
        byte[] bomb = gzip(filled(LIMIT + 1));
        assertThatThrownBy(() -> ContentCoding.decodedBody(coded("gzip"), Unpooled.wrappedBuffer(bomb), LIMIT))
                .isInstanceOfSatisfying(EdgeRefusal.class,
                        e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.PAYLOAD_TOO_LARGE));
    }

    @Test
    void refusesDataNotOfItsCodingAndTruncatedStreams() throws IOException {
        byte[] truncated = Arrays.copyOf(gzip(filled(1000)), 20);
        for (byte[] bad : new byte[][] {"{}".getBytes(), truncated}) {
            assertThatThrownBy(() -> ContentCoding.decodedBody(coded("gzip"), Unpooled.wrappedBuffer(bad), LIMIT))
                    .isInstanceOfSatisfying(EdgeRefusal.class, e -> assertThat(e.error().httpStatus()).isEqualTo(400));
        }
    }

    @Test
    void namesOnlySingleSupportedCodings() {
        assertThat(ContentCoding.of(coded("identity"), false)).isEqualTo(ContentCoding.IDENTITY);
        assertThat(ContentCoding.of(coded("gzip"), false)).as("a port that does not inflate").isNull();
        assertThat(ContentCoding.of(coded("X-Gzip"), true)).isEqualTo(ContentCoding.GZIP);
        for (String other : new String[] {"br", "zstd", "compress", "gzip, gzip", "deflate,gzip", ""}) {
            assertThat(ContentCoding.of(coded(other), true)).as(other).isNull();
        }
        HttpHeaders twice = coded("gzip").add("content-encoding", "gzip");
        assertThat(ContentCoding.of(twice, true)).isNull();
    }

    private static HttpHeaders coded(String coding) {
        return new DefaultHttpHeaders().add("content-encoding", coding);
    }

    private static byte[] filled(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }

}
