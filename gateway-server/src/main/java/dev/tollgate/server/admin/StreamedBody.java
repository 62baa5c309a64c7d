package dev.tollgate.server.admin;

import java.util.concurrent.CompletionStage;

/**
 * A reply body made and sent a piece at a time: the next piece is asked for only once the one before has been
 * written to the connection, so memory holds one piece however long the body is, and a reader that stops reading
 * stops the making. Sent with chunked transfer encoding.
 */
@FunctionalInterface
interface StreamedBody {

    /**
     * The next piece (empty text is skipped), or null once the body is complete. A stage that fails cuts the body:
     * the status is already sent, so the connection is closed without the body's end, which the client reads as a
     * broken transfer.
     */
    CompletionStage<String> next();
}
