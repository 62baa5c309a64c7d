package dev.tollgate.server.cli;

import static dev.tollgate.server.cli.Table.Column.left;
import static dev.tollgate.server.cli.Table.Column.right;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.server.cli.Command.Operand;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * {@code tollgate experiments ...}: prompt experiments through the admin API ({@code /admin/experiments}): how
 * each arm does against the control (the first arm), from the ledger, and ending an experiment with a winner.
 */
final class ExperimentsCommand {
    private static final Operand NAME = Operand.required("NAME");

    static final Group GROUP = new Group("experiments", "Prompt experiments: results per arm, and ending one.",
            List.of(
                    new Command("experiments list", List.of(), "Every experiment, one row per arm.",
                            List.of(Option.JSON), ExperimentsCommand::list),
                    new Command("experiments show", List.of(NAME), "One experiment's arms in full, with how each "
                            + "compares with the control (the first arm).",
                            List.of(Option.value("--since", "WHEN", "only requests from this date (2026-11-01, UTC) "
                                    + "or instant; default all"), Option.JSON), ExperimentsCommand::show),
                    new Command("experiments end", List.of(NAME), "Move the experiment's label to the winner's "
                            + "version and remove the experiment, as one new config version.",
                            List.of(Option.value("--winner", "ARM", "the arm that won (required)"), Option.JSON),
                            ExperimentsCommand::end)));

    private ExperimentsCommand() {}

    private static void list(Invocation call) throws InterruptedException {
        call.show(call.admin().get("/admin/experiments"), reply -> {
            if (reply.path("data").isEmpty()) {
                call.out().println("no experiments");
                return;
            }
            Table table = Table.of(left("EXPERIMENT"), left("PROMPT"), left("ARM"), left("VERSION"), left("MODEL"),
                    right("WEIGHT"), right("REQUESTS"), right("ERRORS"), right("SCORE"));
            for (JsonNode e : reply.path("data")) {
                for (JsonNode arm : e.path("arms")) {
                    table.row(Cells.text(e.path("name")), e.path("prompt").asText() + "@" + e.path("label").asText(),
                            Cells.text(arm.path("name")), Cells.text(arm.path("renders_version")),
                            Cells.text(arm.path("model")), Cells.text(arm.path("weight")),
                            Cells.text(arm.path("requests")), percent(arm.path("error_rate")),
                            decimal(arm.path("feedback_score_mean"), 2));
                }
            }
            table.print(call.out());
        });
    }

    private static void show(Invocation call) throws InterruptedException {
        var params = new LinkedHashMap<String, String>();
        params.put("since", call.args().value("--since"));
        String path = AdminClient.withQuery("/admin/experiments/" + AdminClient.segment(call.args().operand(0)),
                params);
        call.show(call.admin().get(path), e -> {
            Table.fields().row("experiment", Cells.text(e.path("name")))
                    .row("prompt", e.path("prompt").asText() + "@" + e.path("label").asText()
                            + " (now version " + e.path("label_version").asText() + ")")
                    .row("sticky", Cells.text(e.path("sticky")))
                    .row("control", Cells.text(e.path("control")))
                    .row("since", Cells.time(e.path("since")))
                    .print(call.out());
            call.out().println();
            Table table = Table.of(left("ARM"), left("VERSION"), left("MODEL"), right("WEIGHT"), right("REQUESTS"),
                    right("ERRORS"), right("LATENCY MS"), right("TOKENS IN+OUT"), right("COST"), right("COST/REQ"),
                    right("RATED"), right("SCORE"));
            for (JsonNode arm : e.path("arms")) {
                boolean served = arm.path("requests").asLong() > 0;
                table.row(Cells.text(arm.path("name")), Cells.text(arm.path("renders_version")),
                        Cells.text(arm.path("model")), Cells.text(arm.path("weight")),
                        Cells.text(arm.path("requests")),
                        served ? arm.path("errors").asText() + " (" + percent(arm.path("error_rate")) + ")" : null,
                        served ? decimal(arm.path("latency_ms_mean"), 0) + " / max "
                                + arm.path("latency_ms_max").asText() : null,
                        served ? decimal(arm.path("input_tokens_mean"), 0) + "+"
                                + decimal(arm.path("output_tokens_mean"), 0) : null,
                        Cells.usd(arm.path("cost_usd")), Cells.usd(arm.path("cost_per_request_usd")),
                        Cells.text(arm.path("feedback_count")), decimal(arm.path("feedback_score_mean"), 2));
            }
            table.print(call.out());
            for (JsonNode arm : e.path("arms")) {
                if (!arm.path("vs_control").isEmpty()) {
                    call.out().println();
                    call.out().println(arm.path("name").asText() + " against " + e.path("control").asText() + ":");
                }
                for (JsonNode test : arm.path("vs_control")) {
                    call.out().println("  " + test.path("metric").asText().replace('_', ' ') + ": "
                            + test.path("verdict").asText());
                }
            }
        });
    }

    private static void end(Invocation call) throws InterruptedException {
        String winner = call.args().value("--winner");
        if (winner == null) {
            throw new Failure.BadUsage("--winner ARM is required: the arm whose version the label keeps");
        }
        String name = call.args().operand(0);
        ObjectNode body = AdminClient.JSON.createObjectNode().put("winner", winner);
        call.show(call.admin().post("/admin/experiments/" + AdminClient.segment(name) + "/end", body), result -> {
            call.out().println("experiment " + name + " ended: " + winner + " wins, " + result.path("prompt").asText()
                    + "@" + result.path("label").asText() + " -> " + result.path("label_version").asText()
                    + "; config version " + result.path("version").asText() + " is running");
            if (result.hasNonNull("note")) {
                call.err().println("note: " + result.path("note").asText());
            }
            ConfigCommand.changes(call, result);
        });
    }

    private static String percent(JsonNode rate) {
        return rate.isNumber() ? String.format(Locale.ROOT, "%.1f%%", rate.asDouble() * 100) : null;
    }

    private static String decimal(JsonNode value, int places) {
        return value.isNumber() ? String.format(Locale.ROOT, "%." + places + "f", value.asDouble()) : null;
    }
}
