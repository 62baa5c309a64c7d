package dev.tollgate.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.access.PerUser;
import dev.tollgate.core.access.VirtualKey;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quota.Budget;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.quota.Period;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The parts of a {@link VirtualKey} kept in the {@code spec} JSON column: scopes, metadata, limits, budget and the
 * per-user template. Field names are written out (snake_case, like the config file) rather than derived from the
 * records, so a stored key still reads after the records change. Money is a decimal string: exact, and readable
 * in a SQL console. Thread-safe.
 */
final class KeySpecJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the JSON column holds, decoded. */
    record Spec(Set<String> models, Set<String> endpoints, Map<String, String> metadata, Limits limits,
                Budget budget, PerUser perUser) {}

    private KeySpecJson() {}

    static String encode(VirtualKey key) {
        ObjectNode node = JSON.createObjectNode();
        // Sorted, so the same key always gives the same text.
        strings(node.putArray("models"), key.models());
        strings(node.putArray("endpoints"), key.endpoints());
        ObjectNode metadata = node.putObject("metadata");
        new TreeMap<>(key.metadata()).forEach(metadata::put);
        limits(node.putObject("limits"), key.limits());
        if (key.budget() != null) {
            budget(node.putObject("budget"), key.budget());
        }
        if (key.perUser() != null) {
            ObjectNode perUser = node.putObject("per_user");
            limits(perUser.putObject("limits"), key.perUser().limits());
            if (key.perUser().budget() != null) {
                budget(perUser.putObject("budget"), key.perUser().budget());
            }
        }
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree of strings and numbers always serializes", e);
        }
    }

    /** @throws IllegalArgumentException when the text is not a spec this code wrote */
    static Spec decode(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            Map<String, String> metadata = new LinkedHashMap<>();
            node.required("metadata").properties().forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));
            JsonNode perUser = node.get("per_user");
            return new Spec(strings(node.required("models")), strings(node.required("endpoints")), metadata,
                    limits(node.required("limits")), budget(node.get("budget")),
                    perUser == null ? null : new PerUser(limits(perUser.required("limits")),
                            budget(perUser.get("budget"))));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("a stored key's spec does not read: " + e.getMessage(), e);
        }
    }

    private static void strings(ArrayNode array, Set<String> values) {
        new TreeSet<>(values).forEach(array::add);
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new LinkedHashSet<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    private static void limits(ObjectNode node, Limits limits) {
        node.put("rpm", limits.rpm()).put("tpm", limits.tpm()).put("concurrent", limits.concurrent());
    }

    private static Limits limits(JsonNode node) {
        return new Limits(node.required("rpm").asLong(), node.required("tpm").asLong(),
                node.required("concurrent").asInt());
    }

    private static void budget(ObjectNode node, Budget budget) {
        node.put("usd", budget.limit().usd()).put("period", budget.period().label());
        ArrayNode alerts = node.putArray("alerts");
        budget.alerts().forEach(alerts::add);
    }

    private static Budget budget(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        List<Double> alerts = new ArrayList<>();
        node.required("alerts").forEach(alert -> alerts.add(alert.asDouble()));
        return new Budget(Money.ofUsd(node.required("usd").asText()),
                Period.valueOf(node.required("period").asText().toUpperCase(Locale.ROOT)), alerts);
    }
}
