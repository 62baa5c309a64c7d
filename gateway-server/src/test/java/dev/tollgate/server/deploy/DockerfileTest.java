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
