package dev.tollgate.server.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reports a leaked buffer while it ran. Registered for every test class through
 * JUnit's extension auto-detection; the build runs with {@code -Dio.netty.leakDetection.level=paranoid}, so every
 * buffer is tracked. Installs its detector factory before the first buffer class initialises.
 */
public final class LeakGate implements AfterAllCallback {
    private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation") // still the one abstract method a factory must implement in 4.2
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                      long maxActive) {
                return new Recording<>(resource, samplingInterval);
            }
        });
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        // Leaks are found when a lost buffer is collected and the next allocation polls the reference queue.
        for (int i = 0; i < 3 && LEAKS.isEmpty(); i++) {
            System.gc();
            Thread.sleep(50);
            for (int j = 0; j < 64; j++) {
                ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                probe.release();
            }
        }
        List<String> found = new ArrayList<>();
        String leak;
        while ((leak = LEAKS.poll()) != null) {
            found.add(leak);
        }
        if (!found.isEmpty()) {
            throw new AssertionError("LEAK: Netty reported " + found.size() + " leaked resource(s) in "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", found));
        }
    }

    private static final class Recording<T> extends ResourceLeakDetector<T> {
        Recording(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add(resourceType + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add(resourceType + " (no records)");
            super.reportUntracedLeak(resourceType);
        }
    }
}
