package dev.tollgate.server.testing;

import dev.tollgate.server.Tollgate;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A gateway on loopback ports chosen by the system, serving a config given as YAML text; logs kept in memory. */
public final class RunningGateway implements AutoCloseable {
    private final Tollgate tollgate;
    private final ByteArrayOutputStream logs;

    private RunningGateway(Tollgate tollgate, ByteArrayOutputStream logs) {
        this.tollgate = tollgate;
        this.logs = logs;
    }

    /** Starts with {@code yaml}; {@code env} answers {@code ${env:NAME}} references. */
    public static RunningGateway start(String yaml, Map<String, String> env) throws InterruptedException {
        var logs = new ByteArrayOutputStream();
        OutputStream synced = new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (logs) {
                    logs.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (logs) {
                    logs.write(b, off, len);
                }
            }
        };
        return new RunningGateway(Tollgate.start(loader -> loader.parse("test.yaml", yaml), env::get, synced), logs);
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + tollgate.proxyPort() + path);
    }

    public URI adminUrl(String path) {
        return URI.create("http://127.0.0.1:" + tollgate.adminPort() + path);
    }

    /** The OpenAI base URL an SDK is given. */
    public String baseUrl() {
        return "http://127.0.0.1:" + tollgate.proxyPort() + "/v1";
    }

    /** Everything logged so far (the log writer is asynchronous: poll for lines that should come). */
    public String logs() {
        synchronized (logs) {
            return logs.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        tollgate.close();
    }
}
