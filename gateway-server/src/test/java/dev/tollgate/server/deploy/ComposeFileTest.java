package dev.tollgate.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.server.deploy.Compose.Mount;
import dev.tollgate.server.deploy.Compose.Service;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** docker/compose.yaml, checked without a Docker engine: what it references exists and fits together. */
class ComposeFileTest {
    private final Compose compose = Compose.load();

    @Test
    void everyLocalPathItReferencesExistsAndEveryNamedVolumeIsDeclared() {
        for (Service service : compose.services().values()) {
            if (service.tree().has("build")) {
                assertThat(service.buildContext()).as("%s: build context", service.name()).isDirectory();
                assertThat(service.dockerfile()).as("%s: dockerfile", service.name()).isRegularFile();
            }
            for (Mount mount : service.mounts()) {
                if (mount.bind()) {
                    assertThat(mount.localSource()).as("%s: bind mount %s", service.name(), mount.source()).exists();
                    assertThat(mount.readOnly()).as("%s: %s is mounted read-only", service.name(), mount.source())
                            .isTrue();
                } else {
                    assertThat(compose.declaredVolumes()).as("%s: volume %s", service.name(), mount.source())
                            .contains(mount.source());
                }
            }
        }
    }

    @Test
    void everyImageIsPinnedToATag() {
        for (Service service : compose.services().values()) {
            Images.assertPinned(service.tree().get("image").text(), service.name());
        }
    }

    @Test
    void noTwoServicesPublishTheSameHostPort() {
        var seen = new HashSet<Integer>();
        for (Service service : compose.services().values()) {
            for (int port : service.publishedPorts()) {
                assertThat(seen.add(port)).as("%s publishes host port %d a second time", service.name(), port).isTrue();
            }
        }
    }

    @Test
    void everyGatewayRunsAValidConfigWithTheEnvironmentItsServiceGets() {
        assertThat(compose.gateways()).isNotEmpty();
        for (Service gateway : compose.gateways()) {
            GatewayConfig config = configOf(gateway);
            assertThat(gateway.environment()).as("%s: environment for the config's ${env:...}", gateway.name())
                    .containsKeys(config.envReferences().toArray(String[]::new));
            config.assertValid(gateway.environment());
        }
    }

    @Test
    void theClusterProfileRunsTwoGatewaysSharingRedisAndPostgres() {
        List<Service> replicas = compose.gateways().stream().filter(g -> g.profiles().contains("cluster")).toList();
        assertThat(replicas).hasSizeGreaterThanOrEqualTo(2);
        Service postgres = compose.service("postgres");
        assertThat(postgres.profiles()).containsExactly("cluster");
        assertThat(compose.service("redis").profiles()).containsExactly("cluster");
        var dataVolumes = new HashSet<String>();
        for (Service replica : replicas) {
            assertThat(replica.waitsForHealthy()).as(replica.name()).contains("redis", "postgres");
            GatewayConfig config = configOf(replica);
            URI ledger = URI.create(withEnv(config.storage("ledger"), replica.environment()));
            URI redis = URI.create(withEnv(config.storage("redis"), replica.environment()));
            assertThat(ledger.getScheme()).as("%s: ledger", replica.name()).isEqualTo("postgresql");
            assertThat(ledger.getHost()).as("%s: ledger host", replica.name()).isEqualTo("postgres");
            assertThat(ledger.getQuery()).as("%s: ledger login", replica.name())
                    .contains("user=" + postgres.environment().get("POSTGRES_USER"))
                    .contains("password=" + postgres.environment().get("POSTGRES_PASSWORD"));
            assertThat(redis.getHost()).as("%s: redis host", replica.name()).isEqualTo("redis");
            // Spilled ledger rows belong to one process: two replicas appending to one spill file would mix them.
            Mount data = replica.mounts().stream().filter(m -> m.target().equals("/app/data")).findFirst()
                    .orElseThrow(() -> new AssertionError(replica.name() + " mounts nothing at /app/data"));
            assertThat(dataVolumes.add(data.source())).as("%s shares its /app/data", replica.name()).isTrue();
        }
    }

    @Test
    void everyGatewayGetsMoreTimeToStopThanItsDrainTakes() {
        for (Service gateway : compose.gateways()) {
            var grace = Compose.goDuration(gateway.tree().get("stop_grace_period").text());
            assertThat(grace).as("%s: stop_grace_period", gateway.name()).isGreaterThan(configOf(gateway).drainTime());
        }
    }

    @Test
    void prometheusLoadsTheAlertRulesMountedForIt() {
        List<YamlTree> ruleFiles = prometheusConfig().get("rule_files").items();
        assertThat(ruleFiles).isNotEmpty();
        for (YamlTree ruleFile : ruleFiles) {
            Path local = compose.service("prometheus").localPath(ruleFile.text());
            assertThat(local).as("%s is mounted", ruleFile.text()).isNotNull().isRegularFile();
            assertThat(YamlTree.load(local).get("groups").items()).isNotEmpty();
        }
    }

    @Test
    void prometheusScrapesEveryGatewayOnItsAdminPortAndOnlyServicesThatExist() {
        List<YamlTree> jobs = prometheusConfig().get("scrape_configs").items();
        YamlTree tollgate = jobs.stream().filter(j -> j.get("job_name").text().equals("tollgate")).findFirst()
                .orElseThrow();
        var scraped = new ArrayList<String>();
        for (YamlTree sd : tollgate.get("dns_sd_configs").items()) {
            assertThat(sd.get("type").text()).isEqualTo("A");
            for (YamlTree name : sd.get("names").items()) {
                for (Service gateway : compose.gateways()) {
                    if (gateway.aliases().contains(name.text()) || gateway.name().equals(name.text())) {
                        scraped.add(gateway.name());
                        GatewayConfig config = configOf(gateway);
                        assertThat(sd.get("port").integer()).as("%s: admin port", gateway.name())
                                .isEqualTo(config.adminListen().port());
                        assertThat(config.adminListen().host())
                                .as("%s: admin_listen must take connections from Prometheus", gateway.name())
                                .isEqualTo("0.0.0.0");
                    }
                }
            }
        }
        assertThat(scraped).as("gateways Prometheus finds")
                .containsExactlyInAnyOrderElementsOf(compose.gateways().stream().map(Service::name).toList());
        for (YamlTree job : jobs) {
            for (YamlTree sc : job.find("static_configs").map(YamlTree::items).orElse(List.of())) {
                for (YamlTree target : sc.get("targets").items()) {
                    String host = target.text().substring(0, target.text().lastIndexOf(':'));
                    assertThat(host.equals("localhost") || compose.services().containsKey(host))
                            .as("%s names a compose service", target.path()).isTrue();
                }
            }
        }
    }

    @Test
    void grafanaIsProvisionedWithThePrometheusDatasourceAndTheDashboards() throws IOException {
        Service grafana = compose.service("grafana");
        Path provisioning = grafana.localPath("/etc/grafana/provisioning");
        assertThat(provisioning).isDirectory();

        YamlTree datasource = YamlTree.load(provisioning.resolve("datasources/prometheus.yaml")).get("datasources")
                .items().getFirst();
        URI url = URI.create(datasource.get("url").text());
        assertThat(compose.services()).containsKey(url.getHost());
        assertThat(compose.service(url.getHost()).containerPorts()).contains(url.getPort());
        String uid = datasource.get("uid").text();

        List<Path> dashboards = new ArrayList<>();
        try (Stream<Path> files = Files.list(provisioning.resolve("dashboards"))) {
            for (Path provider : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                for (YamlTree p : YamlTree.load(provider).get("providers").items()) {
                    Path folder = grafana.localPath(p.get("options").get("path").text());
                    assertThat(folder).as("%s: dashboards folder is mounted", p.path()).isNotNull().isDirectory();
                    try (Stream<Path> json = Files.list(folder)) {
                        dashboards.addAll(json.filter(f -> f.toString().endsWith(".json")).toList());
                    }
                }
            }
        }
        assertThat(dashboards).isNotEmpty();
        // A panel names the provisioned datasource by its uid, or through a datasource variable of its type,
        // which Grafana sets to the default datasource of that type: the provisioned one, when it is the default.
        String type = datasource.get("type").text();
        boolean isDefault = datasource.find("isDefault").map(d -> d.text().equals("true")).orElse(false);
        for (Path dashboard : dashboards) {
            var file = new MonitoringFiles.Dashboard(dashboard.getFileName().toString(),
                    new ObjectMapper().readTree(dashboard.toFile()));
            var variables = new HashSet<String>();
            for (JsonNode variable : file.variables()) {
                if (variable.path("type").asText().equals("datasource") && variable.path("query").asText().equals(type)
                        && isDefault) {
                    variables.add("${" + variable.path("name").asText() + "}");
                }
            }
            for (JsonNode panel : file.panels()) {
                if (!panel.get("type").asText().equals("row")) {
                    String where = file.file() + ": " + panel.get("title").asText();
                    assertThat(panel.at("/datasource/type").asText()).as(where).isEqualTo(type);
                    String named = panel.at("/datasource/uid").asText();
                    assertThat(named.equals(uid) || variables.contains(named))
                            .as("%s: datasource %s is %s or a %s datasource variable", where, named, uid, type).isTrue();
                }
            }
        }
        Path home = grafana.localPath(grafana.environment().get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"));
        assertThat(dashboards).contains(home);
    }

    /** The Prometheus config the prometheus service is started with. */
    private YamlTree prometheusConfig() {
        Service prometheus = compose.service("prometheus");
        String flag = prometheus.tree().get("command").items().stream().map(YamlTree::text)
                .filter(a -> a.startsWith("--config.file=")).findFirst().orElseThrow();
        Path file = prometheus.localPath(flag.substring("--config.file=".length()));
        assertThat(file).as("the mounted %s", flag).isNotNull().isRegularFile();
        return YamlTree.load(file);
    }

    /** The config a gateway service runs: the one mounted over the image's, else the one baked into the image. */
    private static GatewayConfig configOf(Service gateway) {
        Path mounted = gateway.localPath(Dockerfile.IMAGE_CONFIG);
        return GatewayConfig.of(mounted != null ? mounted : Dockerfile.load().imageConfig());
    }

    /** A storage value with its {@code ${env:NAME}} reference replaced by the variable's value. */
    private static String withEnv(String value, Map<String, String> env) {
        assertThat(value).isNotNull();
        return value.startsWith("${env:") ? env.get(value.substring(6, value.length() - 1)) : value;
    }
}
