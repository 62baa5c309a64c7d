package dev.tollgate.core.pricing;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A price table parsed from its CSV form ({@code prices.csv} documents the columns): immutable, so one instance is
 * shared by every {@link PriceBook}. Lookups are plain hash-map reads.
 */
final class PriceTable {
    private static final String HEADER = "host,model,input,output,cached_input,cache_write,reasoning,max_output_tokens";
    private static final int COLUMNS = 8;

    private final Map<Host, Map<String, Price>> byHost;

    private PriceTable(Map<Host, Map<String, Price>> byHost) {
        this.byHost = byHost;
    }

    /** The table in a class-path resource next to this class; IllegalStateException when missing or malformed. */
    static PriceTable load(String resource) {
        try (InputStream in = PriceTable.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("price table resource missing: " + resource);
            }
            var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            return parse(reader.lines().toList(), resource);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read price table " + resource, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Parses CSV lines: {@code #} comments and blank lines are skipped, the first other line must be the header.
     * IllegalArgumentException naming {@code source} and the line for anything malformed or listed twice.
     */
    static PriceTable parse(List<String> lines, String source) {
        var byHost = new EnumMap<Host, Map<String, Price>>(Host.class);
        boolean headerSeen = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1);
            if (!headerSeen) {
                if (!line.equals(HEADER)) {
                    throw new IllegalArgumentException(where + ": expected the header '" + HEADER + "'");
                }
                headerSeen = true;
                continue;
            }
            try {
                addRow(byHost, line.split(",", -1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        if (!headerSeen) {
            throw new IllegalArgumentException(source + ": no header line");
        }
        byHost.replaceAll((host, prices) -> Map.copyOf(prices));
        return new PriceTable(byHost);
    }

    private static void addRow(Map<Host, Map<String, Price>> byHost, String[] cells) {
        if (cells.length != COLUMNS) {
            throw new IllegalArgumentException("expected " + COLUMNS + " columns, found " + cells.length);
        }
        Host host = Host.ofColumn(cells[0].strip());
        Money input = money(cells[2], null, "input");
        Money output = money(cells[3], null, "output");
        var price = new Price(input, output, money(cells[4], input, "cached_input"),
                money(cells[5], input, "cache_write"), money(cells[6], output, "reasoning"), maxOutput(cells[7]));
        Map<String, Price> prices = byHost.computeIfAbsent(host, h -> new HashMap<>());
        for (String alias : cells[1].split("\\|", -1)) {
            String model = alias.strip().toLowerCase(Locale.ROOT);
            if (model.isEmpty()) {
                throw new IllegalArgumentException("empty model name");
            }
            if (prices.putIfAbsent(model, price) != null) {
                throw new IllegalArgumentException("'" + model + "' is listed twice for host " + cells[0].strip());
            }
        }
    }

    /** A dollar amount, or {@code otherwise} for an empty cell (an error when there is no default). */
    private static Money money(String cell, Money otherwise, String column) {
        String text = cell.strip();
        if (text.isEmpty()) {
            if (otherwise == null) {
                throw new IllegalArgumentException(column + " is required");
            }
            return otherwise;
        }
        try {
            return Money.ofUsd(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(column + " is not a number: '" + text + "'", e);
        }
    }

    private static long maxOutput(String cell) {
        String text = cell.strip();
        if (text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("max_output_tokens is not a whole number: '" + text + "'", e);
        }
    }

    /** The price for a name: each candidate spelling, most exact first, at its host then the host's fallbacks. */
    Price find(ModelName name) {
        requireNonNull(name, "name");
        for (String candidate : name.candidates()) {
            for (Host host = name.host(); host != null; host = host.fallback()) {
                Price price = byHost.getOrDefault(host, Map.of()).get(candidate);
                if (price != null) {
                    return price;
                }
            }
        }
        return null;
    }
}
