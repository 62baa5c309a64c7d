package dev.tollgate.server.reload;

import static java.util.Objects.requireNonNull;

import dev.tollgate.config.ConfigProblem;
import java.util.List;

/** How a reload, a dry run or a rollback ended. */
public sealed interface ReloadResult {

    /**
     * A new config is in force.
     *
     * @param diff the redacted unified diff from the version before it
     * @param restartRequired settings of the new config that wait for a restart ({@code server.listen}...)
     * @param rollback what a rollback did besides, or null for any other change
     */
    record Applied(ConfigVersion version, String diff, List<String> restartRequired, List<ConfigProblem> warnings,
                   Rollback rollback) implements ReloadResult {
        public Applied {
            requireNonNull(version, "version");
            restartRequired = List.copyOf(restartRequired);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * A rollback, besides the new version it made.
     *
     * @param to the version brought back
     * @param fileNote null when the config file now holds that version's text, else why it could not be written (a
     *     read-only mount, say)
     */
    record Rollback(int to, String fileNote) {
        public boolean fileUpdated() {
            return fileNote == null;
        }
    }

    /** The config asked for is the one in force: nothing changed, no version was added. */
    record Unchanged(ConfigVersion current) implements ReloadResult {}

    /** The config has problems: it was not applied and the one in force keeps serving. */
    record Rejected(List<ConfigProblem> problems) implements ReloadResult {
        public Rejected {
            problems = List.copyOf(problems);
        }
    }

    /** A dry run of a valid config: what applying it would change. */
    record Checked(String diff, List<String> restartRequired, List<ConfigProblem> warnings) implements ReloadResult {
        public Checked {
            restartRequired = List.copyOf(restartRequired);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * The request cannot be carried out as asked: no file to reload, an unknown version, or an audit file that
     * cannot record the change.
     */
    record Refused(String reason, Cause cause) implements ReloadResult {
        public Refused {
            requireNonNull(reason, "reason");
            requireNonNull(cause, "cause");
        }
    }

    /** Why a request was refused, as the admin API answers it (404, 409, 503). */
    enum Cause { NOT_FOUND, CONFLICT, UNAVAILABLE }
}
