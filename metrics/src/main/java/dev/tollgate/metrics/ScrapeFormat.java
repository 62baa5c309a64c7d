package dev.tollgate.metrics;

import java.util.Locale;

/**
 * Which exposition format a scraper's {@code Accept} header prefers, by its media ranges and their quality values
 * (RFC 9110, section 12.5.1). OpenMetrics only when the header names it with a quality above zero and weighs it at
 * least as high as the text format; a range's parameters other than {@code q} (a format version, {@code escaping})
 * do not change the choice, since both formats are served in the one version each that Prometheus reads.
 */
final class ScrapeFormat {
    private static final String OPENMETRICS = "application/openmetrics-text";

    private ScrapeFormat() {}

    /** @param accept the request's {@code Accept} header, or null */
    static boolean openMetrics(String accept) {
        if (accept == null) {
            return false;
        }
        double openMetrics = 0;
        // The text format's weight: the most specific range that covers text/plain decides (RFC 9110).
        double textPlain = -1;
        double textAny = -1;
        double any = -1;
        for (String range : accept.split(",")) {
            int semicolon = range.indexOf(';');
            String type = (semicolon < 0 ? range : range.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
            double q = semicolon < 0 ? 1 : quality(range.substring(semicolon + 1));
            switch (type) {
                case OPENMETRICS -> openMetrics = Math.max(openMetrics, q);
                case "text/plain" -> textPlain = Math.max(textPlain, q);
                case "text/*" -> textAny = Math.max(textAny, q);
                case "*/*" -> any = Math.max(any, q);
                default -> { }
            }
        }
        double text = textPlain >= 0 ? textPlain : textAny >= 0 ? textAny : Math.max(any, 0);
        return openMetrics > 0 && openMetrics >= text;
    }

    /** The {@code q} parameter among a range's parameters: 1 when absent, 0 when it does not read as one. */
    private static double quality(String parameters) {
        for (String parameter : parameters.split(";")) {
            int eq = parameter.indexOf('=');
            if (eq > 0 && parameter.substring(0, eq).strip().equalsIgnoreCase("q")) {
                try {
                    double q = Double.parseDouble(parameter.substring(eq + 1).strip());
                    return q >= 0 && q <= 1 ? q : 0;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }
}
