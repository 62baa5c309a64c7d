package dev.tollgate.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tiny command-line helpers shared by the load clients: {@code --key value} flags, repeatable, and targets. */
final class Cli {
    private final Map<String, List<String>> flags = new LinkedHashMap<>();

    Cli(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            int eq = a.indexOf('=');
            String key;
            String value;
            if (eq > 0 && !a.substring(2, eq).contains("=")) {
                key = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                key = a.substring(2);
                value = args[++i];
            }
            flags.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
    }

    /** The parsed command line and its targets; a bad one prints why under {@code program} and exits with 2. */
    static Cli parseOrExit(String program, String[] args) {
        try {
            Cli cli = new Cli(args);
            cli.targets();
            return cli;
        } catch (IllegalArgumentException e) {
            System.err.println(program + ": " + e.getMessage());
            System.exit(2);
            throw new AssertionError("exit returned");
        }
    }

    String get(String key, String fallback) {
        List<String> v = flags.get(key);
        return v == null ? fallback : v.getLast();
    }

    String require(String key) {
        String v = get(key, null);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }

    List<String> all(String key) {
        return flags.getOrDefault(key, List.of());
    }

    double number(String key, double fallback) {
        String v = get(key, null);
        return v == null ? fallback : Double.parseDouble(v);
    }

    /** A named URL to load: {@code --target gateway=http://127.0.0.1:18080/v1/chat/completions}. */
    record Target(String name, URI uri) {
        String host() {
            return uri.getHost();
        }

        int port() {
            return uri.getPort() < 0 ? 80 : uri.getPort();
        }

        String path() {
            String p = uri.getRawPath();
            return p == null || p.isEmpty() ? "/" : p;
        }

        String hostHeader() {
            return host() + ":" + port();
        }
    }

    List<Target> targets() {
        var out = new ArrayList<Target>();
        for (String spec : all("target")) {
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--target wants NAME=URL, got '" + spec + "'");
            }
            URI uri = URI.create(spec.substring(eq + 1));
            if (!"http".equals(uri.getScheme())) {
                throw new IllegalArgumentException("only http:// targets: " + spec);
            }
            out.add(new Target(spec.substring(0, eq), uri));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("at least one --target NAME=URL is needed");
        }
        return out;
    }
}
