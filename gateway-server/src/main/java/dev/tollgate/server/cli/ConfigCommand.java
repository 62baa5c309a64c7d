package dev.tollgate.server.cli;

import static dev.tollgate.server.cli.Table.Column.left;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.server.cli.Command.Operand;
import dev.tollgate.server.cli.Failure.BadUsage;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * {@code tollgate config ...}: the running config's versions through the admin API: show them, diff them, reload
 * the file, roll back. Versions and diffs come from the gateway with secrets already redacted.
 */
final class ConfigCommand {
    private static final List<Operand> VERSION = List.of(Operand.required("VERSION"));

    static final Group GROUP = new Group("config", "The running config: its versions, their differences, reload "
            + "and rollback.", List.of(
                    new Command("config show", List.of(), "The running version: hash, when, by whom, from where.",
                            List.of(Option.JSON), ConfigCommand::show),
                    new Command("config versions", List.of(), "Every applied version, the newest first.",
                            List.of(Option.JSON), ConfigCommand::versions),
                    new Command("config show-version", VERSION, "One version's YAML (secrets redacted).",
                            List.of(Option.JSON), ConfigCommand::showVersion),
                    new Command("config diff", List.of(Operand.optional("FROM"), Operand.optional("TO")),
                            "Changes between versions (TO: the running one by default; FROM: the one before TO).",
                            List.of(), ConfigCommand::diff),
                    new Command("config reload", List.of(), "Read the config file again and apply it if it is valid.",
                            List.of(Option.flag("--dry-run", "only validate it and show the diff; apply nothing"),
                                    Option.JSON), ConfigCommand::reload),
                    new Command("config rollback", VERSION, "Apply an earlier version again, as a new version.",
                            List.of(Option.JSON), ConfigCommand::rollback)));

    private ConfigCommand() {}

    private static void show(Invocation call) throws InterruptedException {
        call.show(call.admin().get("/admin/config"), config -> Table.fields()
                .row("version", Cells.text(config.path("version")))
                .row("hash", Cells.text(config.path("hash")))
                .row("applied at", Cells.time(config.path("applied_at")))
                .row("by", Cells.text(config.path("actor")))
                .row("source", Cells.text(config.path("source")))
                .row("restart required", orNone(Cells.list(config.path("restart_required"))))
                .print(call.out()));
    }

    private static void versions(Invocation call) throws InterruptedException {
        call.show(call.admin().get("/admin/config/versions"), reply -> {
            Table table = Table.of(left("VERSION"), left("APPLIED AT"), left("BY"), left("HASH"), left("NOTE"));
            for (JsonNode v : reply.path("data")) {
                table.row(v.path("version").asText() + (v.path("current").asBoolean() ? " (current)" : ""),
                        Cells.time(v.path("applied_at")), Cells.text(v.path("actor")), shortHash(v.path("hash")),
                        Cells.text(v.path("note")));
            }
            table.print(call.out());
        });
    }

    private static void showVersion(Invocation call) throws InterruptedException {
        String path = "/admin/config/versions/" + version(call.args().operand(0), "VERSION");
        call.show(call.admin().get(path), version -> call.raw(version.path("yaml").asText()));
    }

    private static void diff(Invocation call) throws InterruptedException {
        var params = new LinkedHashMap<String, String>();
        String from = call.args().operand(0);
        String to = call.args().operand(1);
        params.put("from", from == null ? null : version(from, "FROM"));
        params.put("to", to == null ? null : version(to, "TO"));
        String diff = call.admin().get(AdminClient.withQuery("/admin/config/diff", params)).body();
        if (diff.isBlank()) {
            call.err().println("no differences");
        } else {
            call.raw(diff);
        }
    }

    private static void reload(Invocation call) throws InterruptedException {
        boolean dryRun = call.args().has("--dry-run");
        String path = dryRun ? "/admin/config/reload?dry_run=true" : "/admin/config/reload";
        call.show(call.admin().post(path, null), result -> {
            PrintStream out = call.out();
            if (result.path("applied").asBoolean()) {
                out.println("applied: version " + result.path("version").asText() + " is running");
            } else if (result.path("dry_run").asBoolean()) {
                out.println("dry run: the config is valid; nothing was applied");
            } else {
                out.println("not applied (" + result.path("reason").asText() + "): version "
                        + result.path("version").asText() + " keeps running");
            }
            changes(call, result);
        });
    }

    private static void rollback(Invocation call) throws InterruptedException {
        String path = "/admin/config/versions/" + version(call.args().operand(0), "VERSION") + "/rollback";
        call.show(call.admin().post(path, null), result -> {
            call.out().println("rolled back to version " + result.path("rolled_back_to").asText() + ": it runs as "
                    + "version " + result.path("version").asText());
            changes(call, result);
        });
    }

    /**
     * What an applied (or dry-run) change reports: its diff, settings that wait for a restart, warnings, and a
     * config file the gateway could not rewrite.
     */
    static void changes(Invocation call, JsonNode result) {
        String diff = result.path("diff").asText("");
        if (!diff.isBlank()) {
            call.out().println();
            call.raw(diff);
        }
        String restart = Cells.list(result.path("restart_required"));
        if (restart != null) {
            call.out().println();
            call.out().println("restart required: " + restart + " (these settings change at the next restart)");
        }
        // Each warning is a problem object (file, line, path, message); "text" is all of it on one line.
        result.path("warnings").forEach(w -> call.err().println("warning: " + w.path("text").asText()));
        if (result.has("file_updated") && !result.path("file_updated").asBoolean()) {
            call.err().println("warning: the config file was not rewritten: "
                    + result.path("file_note").asText("no reason given")
                    + ". A reload of the file (or the file watch) would apply the file's content again.");
        }
    }

    /** A version number as typed: a positive whole number. */
    private static String version(String text, String operand) {
        if (!text.matches("[1-9][0-9]{0,9}")) {
            throw new BadUsage(operand + " is a version number such as 3 (see tollgate config versions), got '"
                    + text + "'");
        }
        return text;
    }

    /** {@code sha256:} and the first 12 digits: enough to tell versions apart in a table. */
    private static String shortHash(JsonNode hash) {
        String text = Cells.text(hash);
        int digits = "sha256:".length() + 12;
        return text == null || text.length() <= digits ? text : text.substring(0, digits);
    }

    private static String orNone(String value) {
        return value == null ? "none" : value;
    }
}
