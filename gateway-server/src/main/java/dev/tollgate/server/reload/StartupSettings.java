package dev.tollgate.server.reload;

import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.core.runtime.ServerSettings;
import dev.tollgate.core.runtime.StorageSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The settings the gateway took when it started and keeps until it restarts: its listeners and threads, the ledger
 * and counter stores it opened, the time zone those counters roll their budget periods in, and the evaluation
 * queue and workers. A reload puts
 * everything else in force; these are reported as waiting for a restart, and the snapshot in force keeps the
 * running values, so that nothing reading it is told of a listener or a store the process does not have.
 */
final class StartupSettings {
    /** A setting a reload cannot change: its path in the file and how to read it from a snapshot. */
    private record Fixed(String path, Function<RuntimeSnapshot, Object> value) {}

    private static final List<Fixed> FIXED = List.of(
            new Fixed("server.listen", s -> s.server().listen()),
            new Fixed("server.admin_listen", s -> s.server().adminListen()),
            new Fixed("server.io_threads", s -> s.server().ioThreads()),
            new Fixed("storage.ledger", s -> s.storage().ledger()),
            new Fixed("storage.redis", s -> s.storage().redis()),
            new Fixed("storage.redis_prefix", s -> s.storage().redisPrefix()),
            new Fixed("storage.on_redis_failure.limits", s -> s.storage().limitsOnRedisFailure()),
            new Fixed("storage.on_redis_failure.budgets", s -> s.storage().budgetsOnRedisFailure()),
            new Fixed("storage.spill_dir", s -> s.storage().spillDir()),
            new Fixed("storage.spill_max", s -> s.storage().spillMaxBytes()),
            new Fixed("budgets.time_zone", s -> s.access().zone()),
            new Fixed("cache.max_bytes", s -> s.cache().maxBytes()),
            new Fixed("cache.shared", s -> s.cache().shared()),
            new Fixed("evaluation.queue_size", s -> s.evaluation().queueSize()),
            new Fixed("evaluation.concurrency", s -> s.evaluation().concurrency()));

    private final RuntimeSnapshot started;

    StartupSettings(RuntimeSnapshot started) {
        this.started = started;
    }

    /** The paths of the settings in {@code next} that differ from those the process started with, in file order. */
    List<String> pending(RuntimeSnapshot next) {
        List<String> out = new ArrayList<>();
        for (Fixed f : FIXED) {
            if (!Objects.equals(f.value().apply(started), f.value().apply(next))) {
                out.add(f.path());
            }
        }
        return out;
    }

    /** {@code next} as it can run in this process: with the listeners, stores and budget zone it started with. */
    RuntimeSnapshot inForce(RuntimeSnapshot next) {
        ServerSettings server = next.server().withListenersOf(started.server());
        StorageSettings storage = started.storage();
        return new RuntimeSnapshot(next.source(), server, next.providers(), next.models(),
                next.access().withZoneOf(started.access()), next.prices(), storage, next.routing(),
                next.cache().withStoreOf(started.cache()), next.tracing(),
                next.metrics(), next.review(), next.prompts(), next.guardrails(),
                next.evaluation().withWorkersOf(started.evaluation()));
    }
}
