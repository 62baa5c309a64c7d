package dev.tollgate.server.health;

import dev.tollgate.core.routing.Deployment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Polls the Prometheus endpoint of every self-hosted deployment that has one ({@link Deployment#loadMetrics})
 * every {@link #EVERY} and feeds the {@link LoadReport#score} to {@link DeploymentHealth#serverLoad}. A poll that
 * fails, times out or finds none of the known gauges makes the load unknown (-1) at once; one that stops coming
 * goes stale in {@link DeploymentHealth#SERVER_LOAD_STALE}.
 *
 * <p>Off the event loops, on one daemon thread: polls go out together (the JDK client's selector thread does the
 * I/O) and their answers are parsed back on the poller's thread. The {@link #TIMEOUT} is shorter than the period,
 * so a target never has two polls out.
 */
public final class ServerLoadPoller implements AutoCloseable {
    static final Duration EVERY = Duration.ofSeconds(2);
    static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Logger LOG = Logger.getLogger(ServerLoadPoller.class.getName());

    private final DeploymentHealth health;
    private final Duration every;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("tollgate-load-poller").factory());
    private final HttpClient client;
    private volatile List<Target> targets = List.of();

    public ServerLoadPoller(DeploymentHealth health) {
        this(health, EVERY);
    }

    ServerLoadPoller(DeploymentHealth health, Duration every) {
        this.health = health;
        this.every = every;
        this.client = HttpClient.newBuilder().connectTimeout(TIMEOUT).executor(thread)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    private record Target(String deploymentId, HttpRequest request) {}

    /** The deployments to poll from now on: those of the config just (re)loaded that have load metrics. */
    public void track(Collection<Deployment> deployments) {
        List<Target> next = new ArrayList<>();
        for (Deployment d : deployments) {
            URI uri = d.loadMetrics();
            if (uri != null) {
                next.add(new Target(d.id(), HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                        .header("Accept", "text/plain").GET().build()));
            }
        }
        targets = List.copyOf(next);
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::pollAll, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void pollAll() {
        for (Target target : targets) {
            client.sendAsync(target.request(), HttpResponse.BodyHandlers.ofString())
                    .orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) // the request's own covers only the head
                    .whenComplete((response, failure) -> health.serverLoad(target.deploymentId(),
                            score(target, response, failure)));
        }
    }

    private static double score(Target target, HttpResponse<String> response, Throwable failure) {
        if (failure != null || response.statusCode() != 200) {
            LOG.log(Level.FINE, () -> "load metrics of " + target.deploymentId() + " not read: "
                    + (failure != null ? failure : "status " + response.statusCode()));
            return -1;
        }
        LoadReport report = LoadReport.parse(response.body());
        return report == null ? -1 : report.score();
    }

    @Override
    public void close() {
        client.shutdownNow();
        thread.shutdownNow();
    }
}
