package dev.tollgate.server.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** docker/compose.yaml with its merge keys resolved, and the few Compose rules the tests need. */
record Compose(YamlTree tree) {
    static final Path FILE = Repo.DOCKER.resolve("compose.yaml");

    /** ${NAME}, ${NAME:-default} and ${NAME-default}: the forms the file may use. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}");
    private static final Pattern GO_DURATION_PART = Pattern.compile("([0-9]+)(ms|h|m|s)");

    static Compose load() {
        return new Compose(YamlTree.load(FILE));
    }

    Map<String, Service> services() {
        var services = new LinkedHashMap<String, Service>();
        tree.get("services").entries().forEach((name, tree) -> services.put(name, new Service(name, tree)));
        return services;
    }

    Service service(String name) {
        Service service = services().get(name);
        if (service == null) {
            throw new AssertionError("compose.yaml has no service '" + name + "'");
        }
        return service;
    }

    /** The services that run the gateway: those built from docker/Dockerfile. */
    List<Service> gateways() {
        return services().values().stream().filter(Service::buildsTheGateway).toList();
    }

    Set<String> declaredVolumes() {
        return tree.find("volumes").map(v -> v.entries().keySet()).orElse(Set.of());
    }

    /**
     * {@code text} as Compose sees it when none of the variables is set in the shell: each takes its default, or
     * the empty string. Fails on a form this method does not know ({@code ${NAME:?error}}, say).
     */
    static String interpolate(String text) {
        String result = VARIABLE.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(2) == null ? "" : m.group(2)));
        if (result.contains("${")) {
            throw new AssertionError("a variable form the test does not know in: " + text);
        }
        return result;
    }

    /** A Go duration as Compose writes it: {@code 40s}, {@code 1m30s}, {@code 500ms}. */
    static Duration goDuration(String text) {
        Matcher m = GO_DURATION_PART.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMillis(n);
            });
            end = m.end();
        }
        if (end == 0 || end != text.length()) {
            throw new AssertionError("not a duration: " + text);
        }
        return total;
    }

    /** A volume or bind mount in short syntax: {@code source:target[:ro]}. */
    record Mount(String source, String target, boolean readOnly) {
        /** A bind mount of a local path (relative to docker/), not a named volume. */
        boolean bind() {
            return source.startsWith(".") || source.startsWith("/");
        }

        Path localSource() {
            return Repo.DOCKER.resolve(source).normalize();
        }
    }

    record Service(String name, YamlTree tree) {
        boolean buildsTheGateway() {
            return tree.has("build") && dockerfile().equals(Dockerfile.FILE);
        }

        Path buildContext() {
            return Repo.DOCKER.resolve(tree.get("build").get("context").text()).normalize();
        }

        Path dockerfile() {
            return buildContext().resolve(tree.get("build").get("dockerfile").text()).normalize();
        }

        List<String> profiles() {
            return tree.find("profiles").map(p -> p.items().stream().map(YamlTree::text).toList()).orElse(List.of());
        }

        List<Mount> mounts() {
            return tree.find("volumes").map(v -> v.items().stream().map(item -> {
                String[] parts = item.text().split(":");
                if (parts.length < 2 || parts.length > 3) {
                    throw new AssertionError(item.path() + ": expected source:target[:mode], got " + item.text());
                }
                return new Mount(parts[0], parts[1], parts.length == 3 && parts[2].equals("ro"));
            }).toList()).orElse(List.of());
        }

        /** The local file behind {@code containerPath}, through the bind mounts; null when none covers it. */
        Path localPath(String containerPath) {
            for (Mount mount : mounts()) {
                if (!mount.bind()) {
                    continue;
                }
                if (containerPath.equals(mount.target())) {
                    return mount.localSource();
                }
                if (containerPath.startsWith(mount.target() + "/")) {
                    return mount.localSource().resolve(containerPath.substring(mount.target().length() + 1));
                }
            }
            return null;
        }

        /** The environment the container gets, with no variable set in the shell. */
        Map<String, String> environment() {
            var env = new LinkedHashMap<String, String>();
            tree.find("environment").ifPresent(e -> {
                if (e.value() instanceof List<?>) {
                    e.items().forEach(item -> {
                        String[] kv = item.text().split("=", 2);
                        env.put(kv[0], kv.length == 2 ? interpolate(kv[1]) : "");
                    });
                } else {
                    e.entries().forEach((k, v) -> env.put(k, interpolate(v.text())));
                }
            });
            return env;
        }

        /** The host ports it publishes. */
        List<Integer> publishedPorts() {
            return ports(2);
        }

        /** The container ports it publishes. */
        List<Integer> containerPorts() {
            return ports(1);
        }

        /** The {@code fromEnd}-th last part of each {@code [ip:]host:container} port mapping. */
        private List<Integer> ports(int fromEnd) {
            return tree.find("ports").map(p -> p.items().stream().map(item -> {
                String[] parts = item.text().split(":");
                if (parts.length < 2) {
                    throw new AssertionError(item.path() + ": expected [ip:]host:container, got " + item.text());
                }
                return Integer.parseInt(parts[parts.length - fromEnd]);
            }).toList()).orElse(List.of());
        }

        Set<String> aliases() {
            return tree.find("networks").flatMap(n -> n.find("default")).flatMap(d -> d.find("aliases"))
                    .map(a -> a.items().stream().map(YamlTree::text).collect(Collectors.toSet())).orElse(Set.of());
        }

        /** The services it waits for to be healthy. */
        Set<String> waitsForHealthy() {
            return tree.find("depends_on").map(d -> d.entries().entrySet().stream()
                    .filter(e -> e.getValue().get("condition").text().equals("service_healthy"))
                    .map(Map.Entry::getKey).collect(Collectors.toSet())).orElse(Set.of());
        }
    }
}
