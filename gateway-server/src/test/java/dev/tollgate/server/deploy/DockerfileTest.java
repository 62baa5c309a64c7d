package dev.tollgate.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.deploy.Dockerfile.Copy;
import dev.tollgate.server.deploy.Dockerfile.Instruction;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docker/Dockerfile, checked without a Docker engine: its inputs exist and the image it describes fits the config. */
class DockerfileTest {
    private final Dockerfile dockerfile = Dockerfile.load();
    /** The config the image runs when given none. */
    private final GatewayConfig imageConfig = GatewayConfig.of(dockerfile.imageConfig());

    @Test
    void everyBaseImageIsPinnedToATag() {
        for (Instruction from : dockerfile.all("FROM")) {
            Images.assertPinned(from.words().getFirst(), "Dockerfile:" + from.line());
        }
    }

    @Test
    void everyCopySourceExistsInTheBuildContextOrAnEarlierStage() {
        List<Copy> copies = dockerfile.copies();
        assertThat(copies).isNotEmpty();
        for (Copy copy : copies) {
            if (copy.fromContext()) {
                // The build context is the repository root (docker build -f docker/Dockerfile .).
                copy.sources().forEach(source -> assertThat(Repo.ROOT.resolve(source)).as("line %d", copy.line())
                        .exists());
            } else {
                assertThat(dockerfile.stageNames()).as("line %d", copy.line()).contains(copy.flags().get("from"));
            }
        }
    }

    @Test
    void theEntrypointIsTheScriptCopiedIntoTheImageAsAnExecutable() {
        List<String> entrypoint = dockerfile.image("ENTRYPOINT").execForm();
        assertThat(entrypoint).hasSize(1);
        Copy script = dockerfile.copyTo(entrypoint.getFirst());
        assertThat(script.sources()).containsExactly("docker/entrypoint.sh");
        assertThat(Integer.parseInt(script.flags().get("chmod"), 8) & 0555).as("read and execute for everyone")
                .isEqualTo(0555);
        // The script supplies the default arguments; a CMD would replace them with its own.
        assertThat(dockerfile.all("CMD").stream().filter(c -> c.stage() == dockerfile.finalStage())).isEmpty();
    }

    @Test
    void theCdsArchiveIsTrainedAsRootOnTheFinishedLayout() {
        int finalStage = dockerfile.finalStage();
        Copy script = dockerfile.copies().stream().filter(c -> c.sources().equals(List.of("docker/cds-train.sh")))
                .findFirst().orElseThrow(() -> new AssertionError("docker/cds-train.sh is not copied into the image"));
        assertThat(script.stage()).isEqualTo(finalStage);
        Instruction training = dockerfile.all("RUN").stream()
                .filter(run -> run.stage() == finalStage && run.words().getFirst().equals(script.destination()))
                .findFirst().orElseThrow(() -> new AssertionError("the final stage never runs " + script.destination()));
        // The archive fits only the jar, class path and flags of the run that made it: the training starts the
        // gateway through the image's own entrypoint, jar and config, so all of them are in place before it...
        String entrypoint = dockerfile.image("ENTRYPOINT").execForm().getFirst();
        for (String destination : List.of("/app/tollgate.jar", Dockerfile.IMAGE_CONFIG, entrypoint)) {
            assertThat(dockerfile.copyTo(destination).line()).as(destination).isLessThan(training.line());
        }
        assertThat(dockerfile.all("RUN").stream().filter(run -> run.stage() == finalStage
                && run.line() < training.line() && run.arguments().contains("mkdir -p /app/data")))
                .as("the data directory its ledger goes to").isNotEmpty();
        // ...and it runs as root, who owns /app, where the archive goes.
        assertThat(dockerfile.all("USER").stream().filter(user -> user.stage() == finalStage
                && user.line() < training.line())).isEmpty();
    }

    @Test
    void theImageRunsAsANonRootUser() {
        String user = dockerfile.image("USER").arguments();
        String uid = user.split(":")[0];
        assertThat(uid).isNotIn("0", "root").matches("[0-9]+");
    }

    @Test
    void theHealthcheckProbesHealthzOnTheAdminPortOfTheImageConfig() {
        assertThat(imageConfig.adminListen().host()).as("reachable from outside the container")
                .isEqualTo("0.0.0.0");
        assertThat(imageConfig.listen().host()).isEqualTo("0.0.0.0");
        String healthcheck = dockerfile.image("HEALTHCHECK").arguments();
        assertThat(healthcheck).contains("CMD ")
                .contains("http://127.0.0.1:" + imageConfig.adminListen().port() + "/healthz");
        assertThat(dockerfile.image("EXPOSE").words()).containsExactlyInAnyOrder(
                Integer.toString(imageConfig.listen().port()), Integer.toString(imageConfig.adminListen().port()));
    }

    @Test
    void sigtermStopsTheContainerSoTheGatewayCanDrain() {
        assertThat(dockerfile.image("STOPSIGNAL").arguments()).isEqualTo("SIGTERM");
    }

    @Test
    void theImageConfigIsValidWithoutAnyEnvironment() {
        imageConfig.assertValid(Map.of());
    }
}
