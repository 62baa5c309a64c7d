package dev.tollgate.server.health;

import dev.tollgate.core.observe.DeploymentState;
import dev.tollgate.server.testing.NoMetrics;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every deployment state reported, in order; ignores the rest. */
final class RecordingMetrics extends NoMetrics {
    final List<String> states = new CopyOnWriteArrayList<>();

    @Override
    public void deploymentState(String deployment, DeploymentState state) {
        states.add(deployment + "=" + state.label());
    }
}
