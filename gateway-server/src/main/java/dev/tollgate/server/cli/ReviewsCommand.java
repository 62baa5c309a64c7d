package dev.tollgate.server.cli;

import static dev.tollgate.server.cli.Table.Column.left;
import static dev.tollgate.server.cli.Table.Column.right;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tollgate reviews list|export}: the review samples ({@code GET /admin/reviews} and
 * {@code /admin/reviews/export}), newest first, with the feedback their requests got. The gateway checks the
 * filters, so its messages are the ones the user sees.
 */
final class ReviewsCommand {
    private static final List<Option> FILTERS = List.of(
            Option.value("--model", "MODEL", "only this model group's samples"),
            Option.value("--key", "NAME", "only this key's samples"),
            Option.value("--since", "WHEN", "from this date (2026-11-01, UTC) or instant; default 30 days ago"),
            Option.value("--before", "WHEN", "before this date or instant: a listing's last time gives the next page"),
            Option.value("--limit", "N", "at most this many (1 to 1000); default 50, or 1000 for export"));
    /** The longest prompt or answer excerpt a table shows; --json or export gives them whole. */
    private static final int EXCERPT = 60;

    static final Group GROUP = new Group("reviews", "Review samples: sampled chat requests, PII-redacted, with "
            + "their feedback.", List.of(
                    new Command("reviews list", List.of(), "The samples as a table (prompt and answer excerpts).",
                            Option.concat(FILTERS, Option.JSON), ReviewsCommand::list),
                    new Command("reviews export", List.of(), "The samples as JSON lines, one sample a line.",
                            FILTERS, ReviewsCommand::export)));

    private ReviewsCommand() {}

    private static Map<String, String> params(Arguments args) {
        var params = new LinkedHashMap<String, String>();
        for (String name : List.of("model", "key", "since", "before", "limit")) {
            params.put(name, args.value("--" + name));
        }
        return params;
    }

    private static void list(Invocation call) throws InterruptedException {
        AdminClient.Reply reply = call.admin().get(AdminClient.withQuery("/admin/reviews", params(call.args())));
        call.show(reply, listing -> table(call, listing.path("data")));
    }

    private static void export(Invocation call) throws InterruptedException {
        call.raw(call.admin().get(AdminClient.withQuery("/admin/reviews/export", params(call.args()))).body());
    }

    private static void table(Invocation call, JsonNode samples) {
        if (samples.isEmpty()) {
            call.out().println("no review samples");
            return;
        }
        Table table = Table.of(left("AT"), left("REQUEST"), left("KEY"), left("MODEL"), right("TOKENS"),
                right("COST"), left("SCORE"), left("PROMPT"), left("ANSWER"));
        for (JsonNode s : samples) {
            table.row(Cells.time(s.path("at")), Cells.text(s.path("request_id")), Cells.text(s.path("key")),
                    Cells.text(s.path("model")),
                    s.path("input_tokens").asLong() + "+" + s.path("output_tokens").asLong(),
                    Cells.usd(s.path("cost_usd")), Cells.text(s.path("feedback").path("score")),
                    Cells.excerpt(s.path("prompt").asText(), EXCERPT),
                    Cells.excerpt(s.path("answer").asText(), EXCERPT));
        }
        table.print(call.out());
    }

}
