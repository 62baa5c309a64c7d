package dev.tollgate.server.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Writes the AWS event stream framing (prelude, headers, payload, CRC32s) for tests: written from the format's
 * specification rather than from the gateway's framer, so the two check each other.
 */
public final class EventStreamWriter {
    private EventStreamWriter() {}

    /** One header: name, type byte and the encoded value (length prefix included for types 6 and 7). */
    public record H(String name, int type, byte[] value) {
        public static H string(String name, String value) {
            return new H(name, 7, withLength(value.getBytes(StandardCharsets.UTF_8)));
        }

        public static H bytes(String name, byte[] value) {
            return new H(name, 6, withLength(value));
        }

        public static H bool(String name, boolean value) {
            return new H(name, value ? 0 : 1, new byte[0]);
        }

        public static H number(String name, int type, int size, long value) {
            byte[] out = new byte[size];
            for (int i = size - 1; i >= 0; i--) {
                out[i] = (byte) value;
                value >>>= 8;
            }
            return new H(name, type, out);
        }

        private static byte[] withLength(byte[] value) {
            return ByteBuffer.allocate(2 + value.length).putShort((short) value.length).put(value).array();
        }
    }

    public static byte[] message(List<H> headers, String payload) {
        var head = new ByteArrayOutputStream();
        for (H h : headers) {
            byte[] name = h.name().getBytes(StandardCharsets.UTF_8);
            head.write(name.length);
            head.writeBytes(name);
            head.write(h.type());
            head.writeBytes(h.value());
        }
        byte[] headerBytes = head.toByteArray();
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        int total = 12 + headerBytes.length + body.length + 4;
        ByteBuffer out = ByteBuffer.allocate(total);
        out.putInt(total).putInt(headerBytes.length).putInt((int) crc(out.array(), 0, 8));
        out.put(headerBytes).put(body);
        out.putInt((int) crc(out.array(), 0, total - 4));
        return out.array();
    }

    public static long crc(byte[] bytes, int from, int length) {
        var crc = new CRC32();
        crc.update(bytes, from, length);
        return crc.getValue();
    }

    public static byte[] event(String type, String payload) {
        return message(List.of(H.string(":event-type", type), H.string(":content-type", "application/json"),
                H.string(":message-type", "event")), payload);
    }

    public static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** An exception message, as Bedrock sends one in place of an event. */
    public static byte[] exception(String type, String payload) {
        return message(List.of(H.string(":exception-type", type), H.string(":content-type", "application/json"),
                H.string(":message-type", "exception")), payload);
    }
}
