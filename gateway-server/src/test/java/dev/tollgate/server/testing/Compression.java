package dev.tollgate.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/** Request bodies as a client compresses them, for the tests of the gateway's bounded decoding. */
public final class Compression {
    private Compression() {}

    public static byte[] gzip(byte[] plain) throws IOException {
        var out = new ByteArrayOutputStream();
        try (OutputStream zip = new GZIPOutputStream(out)) {
            zip.write(plain);
        }
        return out.toByteArray();
    }

    /** The zlib format, which HTTP's {@code deflate} coding names. */
    public static byte[] deflate(byte[] plain) throws IOException {
        var out = new ByteArrayOutputStream();
        try (OutputStream zip = new DeflaterOutputStream(out)) {
            zip.write(plain);
        }
        return out.toByteArray();
    }
}
