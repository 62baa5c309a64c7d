package dev.tollgate.server.log;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.runtime.LogLevel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Sends what the JDK's logging receives (Tollgate's own failure reports, Netty's, the JDBC drivers') to the event
 * log as JSON lines, so that the process writes one format and {@code server.log_level} governs all of it. The JDK
 * logging is global, so only the process entry point installs this, once.
 */
public final class JavaLogging extends Handler {
    /** Stack traces are cut here: enough to place a failure, not enough to flood the log with one. */
    private static final int MAX_TRACE_CHARS = 8_192;
    /** Fills in a record's parameters the way the JDK's own console output does, tolerating bad patterns. */
    private static final Formatter MESSAGES = new SimpleFormatter();

    private final LogSink sink;

    private JavaLogging(LogSink sink) {
        this.sink = requireNonNull(sink, "sink");
    }

    /** Replaces the root logger's handlers (the console's two-line format) with one writing to {@code sink}. */
    public static void install(LogSink sink, LogLevel threshold) {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        root.addHandler(new JavaLogging(sink));
        threshold(threshold);
    }

    /**
     * Sets the root logger's level to match {@code threshold}, so records below it are not even created (Netty
     * logs much at FINE).
     */
    public static void threshold(LogLevel threshold) {
        Logger.getLogger("").setLevel(switch (threshold) {
            case DEBUG -> Level.FINE;
            case INFO -> Level.INFO;
            case WARN -> Level.WARNING;
            case ERROR -> Level.SEVERE;
        });
    }

    static LogLevel levelOf(Level level) {
        int value = level.intValue();
        if (value >= Level.SEVERE.intValue()) {
            return LogLevel.ERROR;
        }
        if (value >= Level.WARNING.intValue()) {
            return LogLevel.WARN;
        }
        return value >= Level.INFO.intValue() ? LogLevel.INFO : LogLevel.DEBUG;
    }

    @Override
    public void publish(LogRecord record) {
        LogLevel level = levelOf(record.getLevel());
        if (!sink.admits(level)) {
            return;
        }
        JsonLine line = LogSink.event(level, MESSAGES.formatMessage(record)).field("logger", record.getLoggerName());
        Throwable thrown = record.getThrown();
        if (thrown != null) {
            line.field("error", thrown.toString()).field("trace", trace(thrown));
        }
        sink.write(line);
    }

    private static String trace(Throwable thrown) {
        var out = new StringWriter();
        thrown.printStackTrace(new PrintWriter(out));
        String text = out.toString();
        return text.length() <= MAX_TRACE_CHARS ? text : text.substring(0, MAX_TRACE_CHARS) + "...";
    }

    @Override
    public void flush() {
        // the sink's writer flushes after every batch
    }

    @Override
    public void close() {
        // the sink belongs to the gateway, which closes it
    }
}
