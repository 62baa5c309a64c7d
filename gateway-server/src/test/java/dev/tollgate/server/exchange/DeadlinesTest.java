package dev.tollgate.server.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeadlinesTest {
    private final EventLoop loop = new DefaultEventLoop();
    private final AtomicBoolean paused = new AtomicBoolean();
    private final CompletableFuture<Deadlines.Expired> expired = new CompletableFuture<>();
    private final Deadlines deadlines = new Deadlines(loop, paused::get, expired::complete);

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private void onLoop(Runnable action) throws Exception {
        loop.submit(action).get();
    }

    @Test
    void theReadLimitFiresOnlyAfterQuiet() throws Exception {
        onLoop(() -> {
            deadlines.start(Duration.ofSeconds(30));
            deadlines.arm(Duration.ofMillis(150));
        });
        for (int i = 0; i < 6; i++) { // reads keep it alive well past the limit
            Thread.sleep(60);
            onLoop(deadlines::touch);
        }
        assertThat(expired).isNotDone();
        assertThat(expired.get(2, TimeUnit.SECONDS)).isEqualTo(new Deadlines.Expired.Read(Duration.ofMillis(150)));
    }

    @Test
    void theOverallDeadlineWinsWhateverIsRead() throws Exception {
        onLoop(() -> {
            deadlines.start(Duration.ofMillis(200));
            deadlines.arm(Duration.ofSeconds(30));
        });
        long start = System.nanoTime();
        assertThat(expired.get(2, TimeUnit.SECONDS)).isEqualTo(new Deadlines.Expired.Overall(Duration.ofMillis(200)));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(100L, 1500L);
    }

    @Test
    void aPauseForASlowClientIsNotUpstreamSilence() throws Exception {
        paused.set(true);
        onLoop(() -> {
            deadlines.start(Duration.ofSeconds(30));
            deadlines.arm(Duration.ofMillis(100));
        });
        Thread.sleep(400);
        assertThat(expired).isNotDone();
        paused.set(false);
        assertThat(expired.get(2, TimeUnit.SECONDS)).isInstanceOf(Deadlines.Expired.Read.class);
    }

    @Test
    void nothingFiresAfterCancelOrWhileDisarmed() throws Exception {
        onLoop(() -> {
            deadlines.start(Duration.ofMillis(150));
            deadlines.arm(Duration.ofMillis(50));
            deadlines.disarmRead();
        });
        assertThat(expired.get(2, TimeUnit.SECONDS)).isInstanceOf(Deadlines.Expired.Overall.class);

        var second = new CompletableFuture<Deadlines.Expired>();
        var other = new Deadlines(loop, () -> false, second::complete);
        onLoop(() -> {
            other.start(Duration.ofMillis(50));
            other.arm(Duration.ofMillis(50));
            other.cancel();
        });
        Thread.sleep(300);
        assertThat(second).isNotDone();
    }
}
