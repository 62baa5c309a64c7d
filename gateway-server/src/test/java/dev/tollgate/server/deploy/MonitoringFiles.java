package dev.tollgate.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The alert rules and Grafana dashboards of docker/, read the way Prometheus and Grafana read them. */
final class MonitoringFiles {
    static final Path ALERTS = Repo.DOCKER.resolve("prometheus/alerts.yml");
    static final Path PROMETHEUS = Repo.DOCKER.resolve("prometheus/prometheus.yml");
    static final Path DASHBOARDS = Repo.DOCKER.resolve("grafana/dashboards");

    /** One query of a dashboard panel, with where it comes from for failure messages. */
    record PanelQuery(String dashboard, String panel, String refId, String expr) {
        String where() {
            return dashboard + ": " + panel + " (" + refId + ")";
        }
    }

    private MonitoringFiles() {}

    /** Every rule of every group of alerts.yml. */
    static List<YamlTree> alertRules() {
        var rules = new ArrayList<YamlTree>();
        YamlTree.load(ALERTS).get("groups").items().forEach(g -> rules.addAll(g.get("rules").items()));
        return rules;
    }

    /** Every dashboard file, parsed, by file name. */
    static List<Dashboard> dashboards() {
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            var dashboards = new ArrayList<Dashboard>();
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                dashboards.add(new Dashboard(file.getFileName().toString(), new ObjectMapper().readTree(file.toFile())));
            }
            return dashboards;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A dashboard file's name and its JSON. */
    record Dashboard(String file, JsonNode json) {
        /** Every panel, including those inside collapsed rows (Grafana nests those in the row's own list). */
        List<JsonNode> panels() {
            var panels = new ArrayList<JsonNode>();
            for (JsonNode panel : json.path("panels")) {
                panels.add(panel);
                panel.path("panels").forEach(panels::add);
            }
            return panels;
        }

        /** Every query of every panel, as written (Grafana variables not substituted). */
        List<PanelQuery> queries() {
            var queries = new ArrayList<PanelQuery>();
            for (JsonNode panel : panels()) {
                for (JsonNode target : panel.path("targets")) {
                    queries.add(new PanelQuery(file, panel.path("title").asText(), target.path("refId").asText(),
                            target.path("expr").asText()));
                }
            }
            return queries;
        }

        /** The template variables ({@code templating.list}). */
        List<JsonNode> variables() {
            var variables = new ArrayList<JsonNode>();
            json.path("templating").path("list").forEach(variables::add);
            return variables;
        }
    }
}
