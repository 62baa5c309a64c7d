package dev.tollgate.metrics;

/**
 * One scrape of the registry, in the format the scraper asked for.
 *
 * @param contentType the HTTP {@code Content-Type} of {@code body}
 */
public record Exposition(String contentType, String body) {}
