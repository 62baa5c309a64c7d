package dev.tollgate.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** JSON values as table cells; an absent or null value is null (printed as {@code -}). */
final class Cells {
    /** White space and every line break a terminal honours (next line, line and paragraph separators). */
    private static final Pattern BREAKS = Pattern.compile("[\\s\\u0085\\u2028\\u2029]+");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cc}");

    private Cells() {}

    static String text(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() || node.asText().isEmpty() ? null : node.asText();
    }

    /** An instant to the second ({@code 2026-11-28T05:00:00Z}); text that is no instant is shown as it is. */
    static String time(JsonNode node) {
        String text = text(node);
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return text;
        }
    }

    /**
     * An amount of US dollars (the admin API writes them as numbers or as decimal strings), with cents at least:
     * {@code $50.00}, {@code $0.000125}. Text that is no number is shown as it is.
     */
    static String usd(JsonNode node) {
        String text = text(node);
        if (text == null) {
            return null;
        }
        try {
            return usd(new BigDecimal(text));
        } catch (NumberFormatException e) {
            return text;
        }
    }

    static String usd(BigDecimal amount) {
        BigDecimal usd = amount.stripTrailingZeros();
        return "$" + (usd.scale() < 2 ? usd.setScale(2) : usd).toPlainString();
    }

    /** The items of an array, comma-separated; null when there are none. */
    static String list(JsonNode array) {
        var items = new ArrayList<String>();
        array.forEach(item -> items.add(item.asText()));
        return items.isEmpty() ? null : String.join(", ", items);
    }

    /** The named fields of {@code object} that are set, as {@code name value} pairs: {@code rpm 60, tpm 1000}. */
    static String pairs(JsonNode object, List<String> names) {
        var parts = new ArrayList<String>();
        for (String name : names) {
            String value = text(object.path(name));
            if (value != null) {
                parts.add(name + " " + value);
            }
        }
        return parts.isEmpty() ? null : String.join(", ", parts);
    }

    /**
     * Text on one line, cut to {@code max} characters with an ellipsis (never inside a surrogate pair, which would
     * print as '?'): a table row must stay a row. Other control characters show as U+FFFD: the text is a model's or
     * a client's, and an escape sequence in it would drive the terminal.
     */
    static String excerpt(String text, int max) {
        String line = CONTROL.matcher(BREAKS.matcher(text).replaceAll(" ")).replaceAll("\uFFFD").strip();
        if (line.length() <= max) {
            return line;
        }
        int end = max - 3;
        return line.substring(0, Character.isHighSurrogate(line.charAt(end - 1)) ? end - 1 : end) + "...";
    }
}
