package dev.tollgate.server.cli;

import static dev.tollgate.server.cli.Table.Column.left;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.server.cli.Command.Operand;
import dev.tollgate.server.cli.Failure.BadUsage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * {@code tollgate prompts ...}: the prompt registry through the admin API ({@code /admin/prompts}): list, show a
 * prompt or one version, render one with variables (no model is called), diff two versions, and move a label (a
 * config change: a new config version, which {@code tollgate config rollback} undoes).
 */
final class PromptsCommand {
    private static final Operand ID = Operand.required("ID");

    static final Group GROUP = new Group("prompts", "The prompt registry: versions, labels, rendering.", List.of(
            new Command("prompts list", List.of(), "Every prompt: its versions, labels and experiments.",
                    List.of(Option.JSON), PromptsCommand::list),
            new Command("prompts show", List.of(ID), "One prompt, or with --version one version's full content.",
                    List.of(Option.value("--version", "N", "show this version's templates, model and params"),
                            Option.JSON), PromptsCommand::show),
            new Command("prompts render", List.of(Operand.required("ID[@LABEL|@N]")), "What a version renders to "
                    + "with the given variables (the production label by default); no model is called.",
                    List.of(Option.repeated("--var", "NAME=VALUE", "a variable's value; repeat for each"),
                            Option.JSON), PromptsCommand::render),
            new Command("prompts diff", List.of(ID, Operand.required("FROM"), Operand.required("TO")),
                    "The changes from version FROM to version TO.", List.of(), PromptsCommand::diff),
            new Command("prompts label", List.of(ID, Operand.required("LABEL"), Operand.required("VERSION")),
                    "Point LABEL at VERSION (created when new): an edit of the config file, applied as a new "
                            + "config version.", List.of(Option.JSON), PromptsCommand::label)));

    private PromptsCommand() {}

    private static String path(String id) {
        return "/admin/prompts/" + AdminClient.segment(id);
    }

    private static void list(Invocation call) throws InterruptedException {
        call.show(call.admin().get("/admin/prompts"), reply -> {
            if (reply.path("data").isEmpty()) {
                call.out().println("no prompts");
                return;
            }
            Table table = Table.of(left("PROMPT"), left("VERSIONS"), left("LABELS"), left("EXPERIMENTS"),
                    left("DESCRIPTION"));
            for (JsonNode p : reply.path("data")) {
                var versions = new ArrayList<String>();
                p.path("versions").forEach(v -> versions.add(v.path("version").asText()));
                table.row(Cells.text(p.path("id")), String.join(", ", versions), labels(p.path("labels")),
                        experiments(p.path("experiments")), Cells.text(p.path("description")));
            }
            table.print(call.out());
        });
    }

    /** {@code production=1, staging=2}; null when there are none. */
    private static String labels(JsonNode labels) {
        var parts = new ArrayList<String>();
        labels.properties().forEach(l -> parts.add(l.getKey() + "=" + l.getValue().asText()));
        return parts.isEmpty() ? null : String.join(", ", parts);
    }

    private static String experiments(JsonNode experiments) {
        var parts = new ArrayList<String>();
        experiments.forEach(e -> parts.add(e.path("name").asText() + " (" + e.path("label").asText() + ")"));
        return parts.isEmpty() ? null : String.join(", ", parts);
    }

    private static void show(Invocation call) throws InterruptedException {
        String id = call.args().operand(0);
        String version = call.args().value("--version");
        if (version != null) {
            call.show(call.admin().get(path(id) + "/versions/" + number(version, "--version")),
                    v -> content(call, v));
            return;
        }
        call.show(call.admin().get(path(id)), p -> {
            Table.fields().row("prompt", Cells.text(p.path("id")))
                    .row("description", Cells.text(p.path("description")))
                    .row("labels", labels(p.path("labels")))
                    .row("experiments", experiments(p.path("experiments")))
                    .print(call.out());
            call.out().println();
            Table table = Table.of(left("VERSION"), left("MODEL"), left("VARIABLES"), left("NOTE"));
            for (JsonNode v : p.path("versions")) {
                table.row(Cells.text(v.path("version")), Cells.text(v.path("model")), Cells.list(v.path("variables")),
                        Cells.text(v.path("note")));
            }
            table.print(call.out());
        });
    }

    /** A version's or a rendering's fields, then its system text and messages in full. */
    private static void content(Invocation call, JsonNode v) {
        Table fields = Table.fields().row("version", Cells.text(v.path("version")));
        if (v.has("label")) {
            fields.row("label", Cells.text(v.path("label")));
        }
        fields.row("model", Cells.text(v.path("model"))).row("params", params(v.path("params")));
        if (v.has("variables")) {
            fields.row("variables", Cells.list(v.path("variables"))).row("note", Cells.text(v.path("note")));
        }
        fields.print(call.out());
        if (!v.path("system").isNull() && !v.path("system").isMissingNode()) {
            call.out().println();
            call.out().println("[system]");
            call.raw(v.path("system").asText());
        }
        for (JsonNode m : v.path("messages")) {
            call.out().println();
            call.out().println("[" + m.path("role").asText() + "]");
            call.raw(m.path("content").asText());
        }
    }

    private static String params(JsonNode params) {
        var parts = new ArrayList<String>();
        params.properties().forEach(p -> parts.add(p.getKey() + " " + p.getValue()));
        return parts.isEmpty() ? null : String.join(", ", parts);
    }

    private static void render(Invocation call) throws InterruptedException {
        String ref = call.args().operand(0);
        int at = ref.lastIndexOf('@');
        String id = at < 0 ? ref : ref.substring(0, at);
        ObjectNode body = AdminClient.JSON.createObjectNode();
        if (at >= 0) {
            String suffix = ref.substring(at + 1);
            if (suffix.matches("[0-9]+")) {
                body.put("version", Integer.parseInt(number(suffix, "the version after @")));
            } else if (suffix.isEmpty()) {
                throw new BadUsage("write ID@LABEL or ID@N, got '" + ref + "'");
            } else {
                body.put("label", suffix);
            }
        }
        ObjectNode variables = body.putObject("variables");
        for (String pair : call.args().values("--var")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new BadUsage("--var takes NAME=VALUE, got '" + pair + "'");
            }
            variables.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        call.show(call.admin().post(path(id) + "/render", body), rendered -> content(call, rendered));
    }

    private static void diff(Invocation call) throws InterruptedException {
        var params = new LinkedHashMap<String, String>();
        params.put("from", number(call.args().operand(1), "FROM"));
        params.put("to", number(call.args().operand(2), "TO"));
        String diff = call.admin().get(AdminClient.withQuery(path(call.args().operand(0)) + "/diff", params)).body();
        if (diff.isBlank()) {
            call.err().println("no differences");
        } else {
            call.raw(diff);
        }
    }

    private static void label(Invocation call) throws InterruptedException {
        String id = call.args().operand(0);
        String label = call.args().operand(1);
        String version = number(call.args().operand(2), "VERSION");
        ObjectNode body = AdminClient.JSON.createObjectNode().put("version", Integer.parseInt(version));
        call.show(call.admin().put(path(id) + "/labels/" + AdminClient.segment(label), body), result -> {
            String move = id + "@" + label + " -> " + version;
            if (result.path("applied").asBoolean()) {
                call.out().println(move + ": config version " + result.path("version").asText() + " is running");
            } else {
                call.out().println(move + " already: nothing changed (config version "
                        + result.path("version").asText() + ")");
            }
            ConfigCommand.changes(call, result);
        });
    }

    /** A version number as typed: a positive whole number. */
    private static String number(String text, String what) {
        if (!text.matches("[1-9][0-9]{0,8}")) {
            throw new BadUsage(what + " is a prompt version such as 2, got '" + text + "'");
        }
        return text;
    }
}
