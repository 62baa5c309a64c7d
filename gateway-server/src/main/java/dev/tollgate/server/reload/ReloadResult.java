package dev.tollgate.server.reload;

import static java.util.Objects.requireNonNull;

import dev.tollgate.config.ConfigProblem;
import java.util.List;

/** How a reload, a dry run, a rollback or an edit by the gateway ended. */
public sealed interface ReloadResult {

    /**
     * A new config is in force.
     *
     * @param diff the redacted unified diff from the version before it
     * @param restartRequired settings of the new config that wait for a restart ({@code server.listen}...)
     * @param file what a rollback or an edit by the gateway wrote to the config file, or null for a reload
     */
    record Applied(ConfigVersion version, String diff, List<String> restartRequired, List<ConfigProblem> warnings,
                   FileWrite file) implements ReloadResult {
        public Applied {
            requireNonNull(version, "version");
            restartRequired = List.copyOf(restartRequired);
            warnings = List.copyOf(warnings);
        }

        /** The same, with what was written to the file. */
        public Applied written(FileWrite write) {
            return new Applied(version, diff, restartRequired, warnings, write);
        }
    }

    /**
     * The config file rewritten to hold the version now in force: by a rollback, or by an edit the gateway made.
     *
     * @param rolledBackTo the version a rollback brought back, or null for an edit
     * @param fileNote null when the config file now holds the text in force, else why it could not be written (a
     *     read-only mount, say)
     */
    record FileWrite(Integer rolledBackTo, String fileNote) {
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
     * The request cannot be carried out as asked: no file to reload or edit, an unknown version, a file changed
     * since the version in force (for an edit), an edit the file's layout cannot take, or an audit file that cannot
     * record the change.
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
