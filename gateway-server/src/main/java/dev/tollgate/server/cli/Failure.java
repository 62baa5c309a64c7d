package dev.tollgate.server.cli;

import java.util.List;

/** Why an admin command did not succeed; each kind has its own exit code (see {@link AdminCommands}). */
abstract sealed class Failure extends RuntimeException permits Failure.BadUsage, Failure.Refused, Failure.Unreachable {
    Failure(String message) {
        super(message, null, false, false); // a message for a person; a stack trace would only bury it
    }

    /** The command line does not fit the command. */
    static final class BadUsage extends Failure {
        BadUsage(String message) {
            super(message);
        }
    }

    /**
     * The gateway answered, but refused the request or failed it.
     *
     * @see #problems()
     */
    static final class Refused extends Failure {
        private final List<String> problems;

        Refused(String message, List<String> problems) {
            super(message);
            this.problems = List.copyOf(problems);
        }

        /** Each problem of a config the gateway would not apply, one line each; empty for other refusals. */
        List<String> problems() {
            return problems;
        }
    }

    /** No answer from the admin API at all. */
    static final class Unreachable extends Failure {
        Unreachable(String message) {
            super(message);
        }
    }
}
