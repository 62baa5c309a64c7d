package dev.tollgate.server.cli;

import static dev.tollgate.server.cli.Table.Column.left;
import static dev.tollgate.server.cli.Table.Column.right;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tollgate evaluations list|export}: the online evaluation results ({@code GET /admin/evaluations} and
 * {@code /admin/evaluations/export}), newest first. The gateway checks the filters, so its messages are the ones the
 * user sees. An export is written line by line as it arrives; when the gateway cuts it at its maximum, the note
 * saying so goes to standard error, not into the exported lines.
 */
final class EvaluationsCommand {
    private static final List<Option> FILTERS = List.of(
            Option.value("--evaluator", "NAME", "only this evaluator's results"),
            Option.value("--model", "MODEL", "only results on this model group"),
            Option.value("--outcome", "OUTCOME", "only this outcome: scored, unparseable, refused or failed"),
            Option.flag("--flagged", "only results scored below their evaluator's threshold"),
            Option.value("--min-score", "X", "only scores of at least X (0 to 1; 1 is best)"),
            Option.value("--max-score", "Y", "only scores of at most Y (0 to 1)"),
            Option.value("--since", "WHEN", "from this date (2026-11-01, UTC) or instant; default 30 days ago"),
            Option.value("--before", "WHEN", "before this date or instant: a listing's 'more' line gives the next page"));
    /** The longest rationale a table shows; --json or export gives it whole. */
    private static final int EXCERPT = 60;
    /** How the gateway's export note begins: the one line of an export that is no result. */
    private static final String TRUNCATED = "{\"truncated\":";

    static final Group GROUP = new Group("evaluations", "Online evaluation results: each evaluator's score of "
            + "sampled requests and bias probes, with the rationale (PII-redacted).", List.of(
                    new Command("evaluations list", List.of(), "The results as a table, newest first.",
                            Option.concat(FILTERS, Option.value("--limit", "N",
                                    "at most this many (1 to 1000); default 50"), Option.JSON),
                            EvaluationsCommand::list),
                    new Command("evaluations export", List.of(), "The results as JSON lines, one result a line "
                            + "(at most 100000; redirect to a file).", FILTERS, EvaluationsCommand::export)));

    private EvaluationsCommand() {}

    private static Map<String, String> params(Arguments args) {
        var params = new LinkedHashMap<String, String>();
        params.put("evaluator", args.value("--evaluator"));
        params.put("model", args.value("--model"));
        params.put("outcome", args.value("--outcome"));
        params.put("flagged", args.has("--flagged") ? "true" : null);
        params.put("min_score", args.value("--min-score"));
        params.put("max_score", args.value("--max-score"));
        params.put("since", args.value("--since"));
        params.put("before", args.value("--before"));
        return params;
    }

    private static void list(Invocation call) throws InterruptedException {
        Map<String, String> params = params(call.args());
        params.put("limit", call.args().value("--limit"));
        AdminClient.Reply reply = call.admin().get(AdminClient.withQuery("/admin/evaluations", params));
        call.show(reply, listing -> table(call, listing));
    }

    private static void export(Invocation call) throws InterruptedException {
        call.admin().getLines(AdminClient.withQuery("/admin/evaluations/export", params(call.args())), line -> {
            if (line.startsWith(TRUNCATED)) {
                call.err().println("tollgate evaluations export: " + truncated(line));
            } else if (!line.isEmpty()) {
                call.out().println(line);
            }
        });
    }

    /** What the gateway's note on a cut export says, as advice. */
    private static String truncated(String note) {
        JsonNode tree;
        try {
            tree = AdminClient.JSON.readTree(note);
        } catch (JsonProcessingException e) {
            return "the gateway cut the export short";
        }
        return "the export stopped at the gateway's maximum of " + tree.path("max_rows").asText() + " results; "
                + "export the rest with --before " + tree.path("next_before").asText() + " and the same filters";
    }

    private static void table(Invocation call, JsonNode listing) {
        JsonNode results = listing.path("evaluations");
        if (results.isEmpty()) {
            call.out().println("no evaluation results");
            return;
        }
        Table table = Table.of(left("AT"), left("EVALUATOR"), left("MODEL"), left("REQUEST"), left("OUTCOME"),
                right("SCORE"), left("FLAGGED"), right("COST"), left("RATIONALE"));
        for (JsonNode r : results) {
            table.row(Cells.time(r.path("at")), Cells.text(r.path("evaluator")), Cells.text(r.path("model")),
                    Cells.text(r.path("request_id")), Cells.text(r.path("outcome")), score(r.path("score")),
                    r.path("flagged").asBoolean() ? "yes" : null, Cells.usd(r.path("cost_usd")),
                    Cells.text(r.path("rationale")) == null ? null
                            : Cells.excerpt(r.path("rationale").asText(), EXCERPT));
        }
        table.print(call.out());
        String next = Cells.text(listing.path("next_before"));
        if (next != null) {
            call.out().println("more: --before " + next);
        }
    }

    /** A score to two decimals, as the 0..1 scale reads; null when the result has none. */
    private static String score(JsonNode node) {
        return node.isNumber() ? node.decimalValue().setScale(2, RoundingMode.HALF_UP).toPlainString() : null;
    }
}
