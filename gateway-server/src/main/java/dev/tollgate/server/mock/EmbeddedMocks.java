package dev.tollgate.server.mock;

import dev.tollgate.core.runtime.HostPort;
import dev.tollgate.core.runtime.MockEndpoints;
import dev.tollgate.core.runtime.MockProfile;
import dev.tollgate.server.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * Mock servers behind {@code type: mock} providers, one per provider on its own loopback port, all on one event
 * loop of their own so that a mock's work never shares a loop with real traffic. A provider keeps its server (and
 * port) across reloads; a changed profile applies to the requests that follow.
 */
public final class EmbeddedMocks implements MockEndpoints, AutoCloseable {
    private record Running(MockProfile profile, MockServer server) {}

    private final Transport transport;
    private final Map<String, Running> servers = new HashMap<>();
    private EventLoopGroup group;

    public EmbeddedMocks(Transport transport) {
        this.transport = transport;
    }

    @Override
    public synchronized URI endpointFor(String providerId, MockProfile profile) {
        Running running = servers.get(providerId);
        if (running != null && !running.profile().equals(profile)) {
            running.server().reconfigure(profile);
            running = new Running(profile, running.server());
            servers.put(providerId, running);
        }
        if (running == null) {
            if (group == null) {
                group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
            }
            try {
                running = new Running(profile,
                        MockServer.start(group, transport, new HostPort("127.0.0.1", 0), profile));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the mock for " + providerId, e);
            }
            servers.put(providerId, running);
        }
        return URI.create("http://127.0.0.1:" + running.server().port() + "/v1");
    }

    @Override
    public synchronized void close() {
        servers.values().forEach(r -> r.server().close());
        servers.clear();
        if (group != null) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
