package dev.tollgate.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An upstream that speaks raw bytes from a script, for faults no HTTP mock can fake: resets mid-stream, streams
 * that end without their terminal marker, stalls. Records the request it got and when the gateway hung up.
 */
public final class ScriptedUpstream implements AutoCloseable {

    /** What to send back; may write, flush, sleep, reset or just return (the socket is then closed). */
    @FunctionalInterface
    public interface Script {
        void play(OutputStream out, Socket socket) throws Exception;
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final CountDownLatch hungUp = new CountDownLatch(1);
    private volatile String lastRequest;

    public ScriptedUpstream(Script script) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofPlatform().daemon().name("scripted-upstream").start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread.ofPlatform().daemon().start(() -> serve(socket, script));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/v1";
    }

    /** The head and body of the last request received. */
    public String lastRequest() {
        return lastRequest;
    }

    /** Waits for the gateway to close the connection of a request that was still being answered. */
    public boolean awaitHangUp(long millis) throws InterruptedException {
        return hungUp.await(millis, TimeUnit.MILLISECONDS);
    }

    private void serve(Socket socket, Script script) {
        try (socket) {
            InputStream in = socket.getInputStream();
            lastRequest = readRequest(in);
            try {
                script.play(socket.getOutputStream(), socket);
                if (!socket.isClosed()) {
                    socket.setSoTimeout(5000);
                    in.read(); // returns at the gateway's FIN, or throws at its reset
                    hungUp.countDown();
                }
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    hungUp.countDown(); // a write or read failed: the gateway dropped the connection
                }
            }
        } catch (Exception e) {
            // the script ended the exchange its own way
        }
    }

    private static String readRequest(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0d0a0d0a) { // CR LF CR LF ends the head
            int b = in.read();
            if (b < 0) {
                throw new IOException("request cut short");
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return text + new String(body, StandardCharsets.UTF_8);
    }

    /** A response head for an event stream, chunked. */
    public static void streamHead(OutputStream out) throws IOException {
        out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** One chunk of a chunked body. */
    public static void chunk(OutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** The end of a chunked body. */
    public static void lastChunk(OutputStream out) throws IOException {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Closes with a TCP reset rather than a clean FIN. */
    public static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
