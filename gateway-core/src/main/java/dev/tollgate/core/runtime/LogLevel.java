package dev.tollgate.core.runtime;

import java.util.Locale;

/**
 * How much the gateway's event log says, from most to least: {@code server.log_level} keeps lines at or above it.
 * Access lines and audit lines have no level: the access log has its own switch, and audit lines are never
 * filtered.
 */
public enum LogLevel {
    DEBUG, INFO, WARN, ERROR;

    /** Whether a line at {@code level} is written when this is the threshold. */
    public boolean admits(LogLevel level) {
        return level.compareTo(this) >= 0;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The level a config file names.
     *
     * @throws IllegalArgumentException worded for the config's author
     */
    public static LogLevel parse(String text) {
        for (LogLevel level : values()) {
            if (level.label().equals(text)) {
                return level;
            }
        }
        throw new IllegalArgumentException("unknown log level '" + text + "'; expected debug, info, warn or error");
    }
}
