package dev.tollgate.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/kubernetes, checked without a cluster: every manifest parses, the ConfigMap's config is one the gateway
 * accepts, and the Deployment gives it what it references and probes the ports it binds.
 */
class KubernetesManifestsTest {
    private static final Path DIR = Repo.DOCKER.resolve("kubernetes");
    private static final Path SECRET_EXAMPLE = DIR.resolve("tollgate-secrets.env.example");
    private static final String CONFIG_KEY = "tollgate.yaml";

    @TempDir
    Path tmp;
    private List<YamlTree> manifests;
    private YamlTree deployment;
    private YamlTree pod;
    private YamlTree container;
    private GatewayConfig config;

    @BeforeEach
    void load() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            manifests = files.filter(f -> f.toString().endsWith(".yaml")).sorted()
                    .flatMap(f -> YamlTree.loadAll(f).stream()).toList();
        }
        deployment = only("Deployment");
        pod = deployment.get("spec").get("template").get("spec");
        List<YamlTree> containers = pod.get("containers").items();
        assertThat(containers).hasSize(1);
        container = containers.getFirst();
        YamlTree configMap = only("ConfigMap");
        config = GatewayConfig.of(Files.writeString(tmp.resolve(CONFIG_KEY),
                configMap.get("data").get(CONFIG_KEY).text()));
    }

    @Test
    void everyManifestHasAKindANameAndNoNamespace() {
        assertThat(manifests).isNotEmpty();
        for (YamlTree manifest : manifests) {
            assertThat(manifest.get("apiVersion").text()).isNotBlank();
            assertThat(manifest.get("kind").text()).isNotBlank();
            assertThat(manifest.get("metadata").get("name").text()).isNotBlank();
            // kubectl apply -n NAMESPACE decides where they go.
            assertThat(manifest.get("metadata").has("namespace")).as(manifest.path()).isFalse();
        }
        assertThat(manifests).extracting(m -> m.get("kind").text())
                .contains("Deployment", "Service", "ConfigMap", "PodDisruptionBudget");
    }

    @Test
    void theDeploymentRunsTwoOrMoreReplicasAndRollsWithoutLosingCapacity() {
        YamlTree spec = deployment.get("spec");
        assertThat(spec.get("replicas").integer()).isGreaterThanOrEqualTo(2);
        YamlTree rolling = spec.get("strategy").get("rollingUpdate");
        assertThat(rolling.get("maxUnavailable").integer()).isZero();
        assertThat(rolling.get("maxSurge").integer()).isPositive();
        assertThat(podLabels()).containsAllEntriesOf(labels(spec.get("selector").get("matchLabels")));
        Images.assertPinned(container.get("image").text(), container.path());
    }

    @Test
    void theConfigMapHoldsAConfigTheGatewayAcceptsWithTheSecretsTheDeploymentPasses() {
        Map<String, String> secret = secretExample();
        var env = new LinkedHashMap<String, String>();
        for (YamlTree variable : container.get("env").items()) {
            String name = variable.get("name").text();
            if (variable.has("value")) {
                env.put(name, variable.get("value").text());
            } else {
                YamlTree ref = variable.get("valueFrom").get("secretKeyRef");
                assertThat(ref.get("name").text()).isEqualTo("tollgate-secrets");
                String key = ref.get("key").text();
                assertThat(secret).as("%s in %s", key, SECRET_EXAMPLE.getFileName()).containsKey(key);
                env.put(name, secret.get(key));
            }
        }
        assertThat(config.envReferences()).isNotEmpty();
        assertThat(env).as("the Deployment's env for the config's ${env:...}")
                .containsKeys(config.envReferences().toArray(String[]::new));
        config.assertValid(env);
        assertThat(config.storage("ledger")).as("replicas share one ledger").startsWith("${env:");
        assertThat(config.storage("redis")).as("replicas share their counters").startsWith("${env:");
    }

    @Test
    void probesAndPortsAreTheListenersOfTheConfig() {
        assertThat(config.listen().host()).isEqualTo("0.0.0.0");
        assertThat(config.adminListen().host()).as("the kubelet probes the pod's address").isEqualTo("0.0.0.0");
        assertThat(containerPorts()).containsValue(config.listen().port());
        assertProbe("livenessProbe", "/healthz");
        assertProbe("readinessProbe", "/readyz");
        container.find("startupProbe").ifPresent(p -> assertProbe("startupProbe", "/healthz"));
    }

    @Test
    void theConfigMapIsMountedAsTheDirectoryOfTheConfigTheImageServes() {
        String volume = pod.get("volumes").items().stream()
                .filter(v -> v.find("configMap").map(c -> c.get("name").text().equals(configMapName())).orElse(false))
                .map(v -> v.get("name").text()).findFirst().orElseThrow();
        YamlTree mount = mountOf(volume);
        // Only a directory mount receives ConfigMap updates; a subPath mount would freeze the first version.
        assertThat(mount.has("subPath")).isFalse();
        assertThat(mount.get("mountPath").text() + "/" + CONFIG_KEY).isEqualTo(Dockerfile.IMAGE_CONFIG);
        assertThat(container.has("args")).as("no args: the image serves %s", Dockerfile.IMAGE_CONFIG).isFalse();
    }

    @Test
    void terminationGraceOutlastsTheDrain() {
        assertThat(Duration.ofSeconds(pod.get("terminationGracePeriodSeconds").integer()))
                .isGreaterThan(config.drainTime());
    }

    @Test
    void theGatewayRunsAsTheImageUserOnAReadOnlyRootAndWritesOnlyToItsOwnVolumes() {
        String imageUid = Dockerfile.load().image("USER").arguments().split(":")[0];
        YamlTree podSecurity = pod.get("securityContext");
        assertThat(podSecurity.get("runAsNonRoot").text()).isEqualTo("true");
        assertThat(podSecurity.get("runAsUser").text()).isEqualTo(imageUid);
        YamlTree security = container.get("securityContext");
        assertThat(security.get("readOnlyRootFilesystem").text()).isEqualTo("true");
        assertThat(security.get("allowPrivilegeEscalation").text()).isEqualTo("false");
        assertThat(pod.get("automountServiceAccountToken").text()).isEqualTo("false");
        // With a read-only root, what the gateway writes must sit on emptyDir volumes: the ledger's spill
        // directory, and /tmp, where Netty unpacks its native transport.
        assertWritable(config.storage("spill_dir"));
        assertWritable("/tmp");
    }

    @Test
    void resourcesAreRequestedAndMemoryIsLimited() {
        YamlTree resources = container.get("resources");
        assertThat(resources.get("requests").get("cpu").text()).isNotBlank();
        assertThat(resources.get("requests").get("memory").text()).isNotBlank();
        assertThat(resources.get("limits").get("memory").text()).isNotBlank();
    }

    @Test
    void servicesReachNamedContainerPortsAndPrometheusScrapesTheAdminOne() {
        Map<String, Integer> ports = containerPorts();
        var exposed = new LinkedHashMap<Integer, YamlTree>();
        for (YamlTree service : all("Service")) {
            assertThat(podLabels()).containsAllEntriesOf(labels(service.get("spec").get("selector")));
            for (YamlTree port : service.get("spec").get("ports").items()) {
                String target = port.get("targetPort").text();
                assertThat(ports).as("%s targets a named container port", port.path()).containsKey(target);
                exposed.put(ports.get(target), service);
            }
        }
        assertThat(exposed).containsKeys(config.listen().port(), config.adminListen().port());
        YamlTree annotations = exposed.get(config.adminListen().port()).get("metadata").get("annotations");
        assertThat(annotations.get("prometheus.io/scrape").text()).isEqualTo("true");
        assertThat(annotations.get("prometheus.io/port").text()).isEqualTo(Integer.toString(config.adminListen().port()));
        assertThat(annotations.get("prometheus.io/path").text()).isEqualTo("/metrics");
        assertThat(exposed.get(config.listen().port())).as("clients and the admin port use separate Services")
                .isNotSameAs(exposed.get(config.adminListen().port()));
    }

    @Test
    void thePodDisruptionBudgetKeepsAGatewayUpAndLetsDrainsProceed() {
        YamlTree spec = only("PodDisruptionBudget").get("spec");
        assertThat(spec.get("minAvailable").integer()).isPositive()
                .isLessThan(deployment.get("spec").get("replicas").integer());
        assertThat(podLabels()).containsAllEntriesOf(labels(spec.get("selector").get("matchLabels")));
    }

    private void assertProbe(String name, String path) {
        YamlTree get = container.get(name).get("httpGet");
        assertThat(get.get("path").text()).as(name).isEqualTo(path);
        assertThat(containerPorts().get(get.get("port").text())).as("%s port", name)
                .isEqualTo(config.adminListen().port());
    }

    /** Fails unless {@code path} is on an emptyDir volume mounted writable. */
    private void assertWritable(String path) {
        assertThat(path).isNotNull().startsWith("/");
        YamlTree mount = container.get("volumeMounts").items().stream()
                .filter(m -> path.equals(m.get("mountPath").text()) || path.startsWith(m.get("mountPath").text() + "/"))
                .findFirst().orElseThrow(() -> new AssertionError("no volume mounted at " + path));
        assertThat(mount.find("readOnly").map(YamlTree::text).orElse("false")).isEqualTo("false");
        YamlTree volume = pod.get("volumes").items().stream()
                .filter(v -> v.get("name").text().equals(mount.get("name").text())).findFirst().orElseThrow();
        assertThat(volume.has("emptyDir")).as("%s is on an emptyDir", path).isTrue();
    }

    private YamlTree mountOf(String volume) {
        return container.get("volumeMounts").items().stream().filter(m -> m.get("name").text().equals(volume))
                .findFirst().orElseThrow(() -> new AssertionError("volume " + volume + " is not mounted"));
    }

    private String configMapName() {
        return only("ConfigMap").get("metadata").get("name").text();
    }

    /** The container's ports by name. */
    private Map<String, Integer> containerPorts() {
        var ports = new LinkedHashMap<String, Integer>();
        container.get("ports").items().forEach(p -> ports.put(p.get("name").text(), p.get("containerPort").integer()));
        return ports;
    }

    private Map<String, String> podLabels() {
        return labels(deployment.get("spec").get("template").get("metadata").get("labels"));
    }

    private static Map<String, String> labels(YamlTree tree) {
        var labels = new LinkedHashMap<String, String>();
        tree.entries().forEach((k, v) -> labels.put(k, v.text()));
        return labels;
    }

    private List<YamlTree> all(String kind) {
        return manifests.stream().filter(m -> m.get("kind").text().equals(kind)).toList();
    }

    private YamlTree only(String kind) {
        List<YamlTree> found = all(kind);
        assertThat(found).as("manifests of kind %s", kind).hasSize(1);
        return found.getFirst();
    }

    /** The example Secret's NAME=value lines, as kubectl create secret --from-env-file reads them. */
    private static Map<String, String> secretExample() {
        var values = new LinkedHashMap<String, String>();
        for (String line : YamlTree.read(SECRET_EXAMPLE).split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int eq = line.indexOf('=');
                assertThat(eq).as("NAME=value: %s", line).isPositive();
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return values;
    }
}
