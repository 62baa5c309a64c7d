package dev.tollgate.server.cli;

import static dev.tollgate.server.cli.Table.Column.left;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.server.cli.Command.Operand;
import dev.tollgate.server.cli.Failure.BadUsage;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * {@code tollgate keys ...}: the admin API's key routes. {@code create} maps its options onto the fields of a key
 * as the config file writes them (the API reads its body with the file's rules), so the gateway, not this
 * command, judges names, ranges and periods, with the same messages as for the file.
 */
final class KeysCommand {
    private static final List<Operand> NAME = List.of(Operand.required("NAME"));
    private static final List<String> LIMITS = List.of("rpm", "tpm", "concurrent");

    static final Group GROUP = new Group("keys", "Virtual keys: list and show them, make one, revoke or enable one.",
            List.of(
                    new Command("keys list", List.of(), "Every key (from the config file and made at run time).",
                            List.of(Option.JSON), KeysCommand::list),
                    new Command("keys show", NAME, "One key: its scopes, limits, budget and live usage.",
                            List.of(Option.JSON), KeysCommand::show),
                    new Command("keys create", NAME, "Make a key (kept in the ledger); prints it, once.", List.of(
                            Option.value("--team", "TEAM", "the key's team (one of the config's teams)"),
                            Option.value("--models", "LIST", "the models it may call, comma-separated "
                                    + "(gpt-4o-mini,claude-*); default all"),
                            Option.value("--endpoints", "LIST", "the routes it may call (chat,messages,embeddings,"
                                    + "count_tokens,models); default all"),
                            Option.value("--budget", "USD", "its budget in US dollars (50, 0.25); needs --period"),
                            Option.value("--period", "PERIOD", "the budget's period: daily, weekly, monthly or "
                                    + "lifetime"),
                            Option.value("--alerts", "LIST", "fractions of the budget that raise an alert "
                                    + "(0.5,0.8,1)"),
                            Option.value("--rpm", "N", "requests per minute"),
                            Option.value("--tpm", "N", "tokens (input and output) per minute"),
                            Option.value("--concurrent", "N", "requests in flight at once"),
                            Option.value("--expires", "WHEN", "refused from then on: a date (2027-01-01, UTC) or "
                                    + "a time (2027-01-01T00:00:00Z)"),
                            Option.repeated("--metadata", "NAME=VALUE", "a label (owner=alice); repeat it for more"),
                            Option.JSON), KeysCommand::create),
                    new Command("keys revoke", NAME, "Refuse a key made at run time from now on.",
                            List.of(Option.JSON), call -> change(call, "revoke")),
                    new Command("keys enable", NAME, "Accept a revoked key again.",
                            List.of(Option.JSON), call -> change(call, "enable"))));

    private static final String SHOWN_ONCE = "Store it now: the gateway keeps only its hash and cannot show it again.";

    private KeysCommand() {}

    private static void list(Invocation call) throws InterruptedException {
        call.show(call.admin().get("/admin/keys"), reply -> {
            var keys = new ArrayList<JsonNode>();
            reply.path("data").forEach(keys::add);
            if (keys.isEmpty()) {
                call.out().println("no keys: the gateway is open to any client until a key exists (in the config's "
                        + "keys, or from tollgate keys create)");
                return;
            }
            keys.sort(Comparator.comparing(k -> k.path("name").asText()));
            Table table = Table.of(left("NAME"), left("SOURCE"), left("TEAM"), left("STATUS"), left("CREATED"),
                    left("LIMITS"), left("BUDGET"));
            Instant now = Instant.now();
            for (JsonNode key : keys) {
                table.row(Cells.text(key.path("name")), Cells.text(key.path("source")),
                        Cells.text(key.path("team")), status(key, now), Cells.time(key.path("created")),
                        Cells.pairs(key.path("limits"), LIMITS), budgetText(key.path("budget")));
            }
            table.print(call.out());
        });
    }

    private static void show(Invocation call) throws InterruptedException {
        call.show(call.admin().get(keyPath(call)), key -> {
            Table fields = Table.fields()
                    .row("name", Cells.text(key.path("name")))
                    .row("status", status(key, Instant.now()))
                    .row("source", Cells.text(key.path("source")))
                    .row("hash", "sha256:" + key.path("hash_prefix").asText() + "...")
                    .row("team", Cells.text(key.path("team")))
                    .row("created", Cells.time(key.path("created")))
                    .row("expires", orElse(Cells.time(key.path("expires")), "never"))
                    .row("models", orElse(Cells.list(key.path("models")), "all"))
                    .row("endpoints", orElse(Cells.list(key.path("endpoints")), "all"))
                    .row("metadata", metadata(key.path("metadata")))
                    .row("limits", Cells.pairs(key.path("limits"), LIMITS))
                    .row("budget", budgetText(key.path("budget")));
            JsonNode perUser = key.path("per_user");
            if (perUser.isObject()) {
                fields.row("per user limits", Cells.pairs(perUser.path("limits"), LIMITS))
                        .row("per user budget", budgetText(perUser.path("budget")));
            }
            JsonNode usage = key.path("usage");
            fields.row("requests last minute", Cells.text(usage.path("requests_last_minute")))
                    .row("tokens last minute", Cells.text(usage.path("tokens_last_minute")))
                    .row("in flight", Cells.text(usage.path("concurrent")))
                    .row("spent this period", Cells.usd(usage.path("spent_usd")))
                    .row("reserved", Cells.usd(usage.path("reserved_usd")))
                    .print(call.out());
        });
    }

    private static void create(Invocation call) throws InterruptedException {
        AdminClient.Reply reply = call.admin().post("/admin/keys", body(call.args()));
        PrintStream out = call.out();
        call.show(reply, key -> {
            out.println("created key '" + key.path("name").asText() + "'" + (key.path("team").isTextual()
                    ? " in team '" + key.path("team").asText() + "'" : ""));
            out.println();
            out.println("  " + key.path("key").asText());
            out.println();
            out.println(SHOWN_ONCE);
        });
        if (call.json()) {
            call.err().println("The reply holds the new key. " + SHOWN_ONCE);
        }
    }

    private static void change(Invocation call, String verb) throws InterruptedException {
        String name = call.args().operand(0);
        call.show(call.admin().post(keyPath(call) + "/" + verb, null), reply -> call.out().println(
                "key '" + name + "' " + reply.path("status").asText()
                        + (verb.equals("revoke") ? "; other gateway replicas refuse it from their next key refresh"
                        : "")));
    }

    private static String keyPath(Invocation call) {
        return "/admin/keys/" + AdminClient.segment(call.args().operand(0));
    }

    /** The body of {@code POST /admin/keys}: only the fields the options set. */
    private static ObjectNode body(Arguments args) {
        ObjectNode body = AdminClient.JSON.createObjectNode().put("name", args.operand(0));
        if (args.has("--team")) {
            body.put("team", args.value("--team"));
        }
        for (String field : List.of("models", "endpoints")) {
            if (args.has("--" + field)) {
                ArrayNode items = body.putArray(field);
                items(args, "--" + field).forEach(items::add);
            }
        }
        if (args.has("--expires")) {
            body.put("expires", args.value("--expires"));
        }
        if (args.has("--metadata")) {
            ObjectNode metadata = body.putObject("metadata");
            for (String label : args.values("--metadata")) {
                int eq = label.indexOf('=');
                if (eq <= 0) {
                    throw new BadUsage("--metadata takes NAME=VALUE (owner=alice), got '" + label + "'");
                }
                if (metadata.has(label.substring(0, eq))) {
                    throw new BadUsage("--metadata " + label.substring(0, eq) + " is given twice");
                }
                metadata.put(label.substring(0, eq), label.substring(eq + 1));
            }
        }
        ObjectNode limits = AdminClient.JSON.createObjectNode();
        for (String limit : LIMITS) {
            if (args.has("--" + limit)) {
                limits.put(limit, whole(args, "--" + limit));
            }
        }
        if (!limits.isEmpty()) {
            body.set("limits", limits);
        }
        putBudget(args, body);
        return body;
    }

    private static void putBudget(Arguments args, ObjectNode body) {
        if (!args.has("--budget")) {
            for (String needsBudget : List.of("--period", "--alerts")) {
                if (args.has(needsBudget)) {
                    throw new BadUsage(needsBudget + " belongs to a budget: add --budget USD");
                }
            }
            return;
        }
        if (!args.has("--period")) {
            throw new BadUsage("--budget needs --period (daily, weekly, monthly or lifetime)");
        }
        ObjectNode budget = body.putObject("budget").put("usd", decimal(args, "--budget", args.value("--budget")))
                .put("period", args.value("--period"));
        if (args.has("--alerts")) {
            ArrayNode alerts = budget.putArray("alerts");
            items(args, "--alerts").forEach(a -> alerts.add(decimal(args, "--alerts", a)));
        }
    }

    /** The comma-separated items of an option, each trimmed; an empty one is a mistake, not "nothing". */
    private static List<String> items(Arguments args, String option) {
        List<String> items = List.of(args.value(option).split(",", -1)).stream().map(String::strip).toList();
        if (items.contains("")) {
            throw new BadUsage(option + " has an empty item: write a comma-separated list such as a,b");
        }
        return items;
    }

    private static long whole(Arguments args, String option) {
        try {
            return Long.parseLong(args.value(option));
        } catch (NumberFormatException e) {
            throw new BadUsage(option + " takes a whole number, got '" + args.value(option) + "'");
        }
    }

    private static BigDecimal decimal(Arguments args, String option, String text) {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new BadUsage(option + " takes a number such as 50 or 0.25, got '" + text + "'");
        }
    }

    /** {@code revoked} (disabled, by the API or in the file), {@code expired}, or {@code active}. */
    private static String status(JsonNode key, Instant now) {
        if (key.path("disabled").asBoolean()) {
            return "revoked";
        }
        String expires = Cells.text(key.path("expires"));
        return expires != null && !Instant.parse(expires).isAfter(now) ? "expired" : "active";
    }

    /** {@code $50.00 daily}, with its alerts when it has some: {@code $50.00 daily, alerts at 50%, 80%}. */
    private static String budgetText(JsonNode budget) {
        if (!budget.isObject()) {
            return null;
        }
        String text = Cells.usd(budget.path("usd")) + " " + budget.path("period").asText();
        var alerts = new ArrayList<String>();
        budget.path("alerts").forEach(a -> alerts.add(a.decimalValue().movePointRight(2).stripTrailingZeros()
                .toPlainString() + "%"));
        return alerts.isEmpty() ? text : text + ", alerts at " + String.join(", ", alerts);
    }

    /** {@code name=value} labels sorted by name: the gateway keeps them in no particular order. */
    private static String metadata(JsonNode labels) {
        var sorted = new TreeMap<String, String>();
        labels.properties().forEach(e -> sorted.put(e.getKey(), e.getValue().asText()));
        var pairs = new ArrayList<String>();
        sorted.forEach((name, value) -> pairs.add(name + "=" + value));
        return pairs.isEmpty() ? null : String.join(", ", pairs);
    }

    private static String orElse(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
