package dev.tollgate.server.cli;

import static dev.tollgate.server.cli.Table.Column.left;
import static dev.tollgate.server.cli.Table.Column.right;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.server.cli.Failure.BadUsage;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * {@code tollgate spend}: the ledger's spend report ({@code GET /admin/spend}), in the gateway's order (the
 * biggest cost first). The gateway checks dates and groups, so its messages are the ones the user sees.
 */
final class SpendCommand {
    static final Command COMMAND = new Command("spend", List.of(),
            "Spend from the ledger, per key, team, end user, model, deployment or day.", List.of(
                    Option.value("--from", "WHEN", "from this date (2026-11-01, UTC) or instant; default 30 days ago"),
                    Option.value("--to", "WHEN", "up to this date or instant, excluded; default tomorrow"),
                    Option.value("--group-by", "GROUP", "key (the default), team, user, model, deployment or day"),
                    Option.value("--key", "NAME", "only this key's requests"),
                    Option.value("--team", "TEAM", "only this team's requests"),
                    Option.flag("--csv", "print the report as CSV, as the gateway writes it"),
                    Option.JSON), SpendCommand::run);

    private SpendCommand() {}

    private static void run(Invocation call) throws InterruptedException {
        Arguments args = call.args();
        boolean csv = args.has("--csv");
        if (csv && call.json()) {
            throw new BadUsage("--csv and --json are two formats: choose one");
        }
        var params = new LinkedHashMap<String, String>();
        params.put("from", args.value("--from"));
        params.put("to", args.value("--to"));
        params.put("group_by", args.value("--group-by"));
        params.put("key", args.value("--key"));
        params.put("team", args.value("--team"));
        params.put("format", csv ? "csv" : null);
        AdminClient.Reply reply = call.admin().get(AdminClient.withQuery("/admin/spend", params));
        if (csv) {
            call.raw(reply.body());
            return;
        }
        call.show(reply, report -> table(call, report));
    }

    private static void table(Invocation call, JsonNode report) {
        String group = report.path("group_by").asText();
        String range = Cells.time(report.path("from")) + " to " + Cells.time(report.path("to"));
        JsonNode rows = report.path("data");
        if (rows.isEmpty()) {
            call.out().println("no spend from " + range);
            return;
        }
        call.out().println("spend by " + group + ", " + range);
        call.out().println();
        Table table = Table.of(left(group.toUpperCase(Locale.ROOT)), right("REQUESTS"), right("FAILED"),
                right("INPUT TOKENS"), right("OUTPUT TOKENS"), right("CACHE HITS"), right("COST"));
        long requests = 0;
        long estimated = 0;
        BigDecimal cost = BigDecimal.ZERO;
        for (JsonNode row : rows) {
            boolean guessed = row.path("estimated").asLong() > 0;
            table.row(orNone(Cells.text(row.path(group))), Cells.text(row.path("requests")),
                    Cells.text(row.path("failed")), Cells.text(row.path("input_tokens")),
                    Cells.text(row.path("output_tokens")), Cells.text(row.path("cache_hits")),
                    Cells.usd(row.path("cost_usd")) + (guessed ? "*" : ""));
            requests += row.path("requests").asLong();
            estimated += row.path("estimated").asLong();
            cost = cost.add(new BigDecimal(row.path("cost_usd").asText()));
        }
        table.print(call.out());
        call.out().println();
        call.out().println("total: " + requests + (requests == 1 ? " request, " : " requests, ")
                + Cells.usd(cost));
        if (estimated > 0) {
            call.out().println("* includes " + estimated + (estimated == 1 ? " request" : " requests")
                    + " whose cost is an estimate");
        }
    }

    /** Rows without a group value: requests of an open gateway grouped by key, say. */
    private static String orNone(String value) {
        return value == null ? "(none)" : value;
    }
}
