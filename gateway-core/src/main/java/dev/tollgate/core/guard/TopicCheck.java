package dev.tollgate.core.guard;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A topic allow list: each allowed topic is a set of keywords (words or phrases, case-insensitive, whole words). The
 * check fires when the text mentions none of them: it is off-topic. Read on the last user message of a request
 * only (the conversation's current question), so it runs at the input stage.
 *
 * @param topics topic name to its keywords, in config order
 * @param pattern every keyword of every topic, as one alternation
 */
public record TopicCheck(Map<String, List<String>> topics, Pattern pattern) implements GuardCheck {
    public TopicCheck {
        topics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(topics));
    }

    /** @throws IllegalArgumentException when there is no topic, a topic without keywords, or a blank keyword */
    public static TopicCheck of(Map<String, List<String>> topics) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("at least one topic is required");
        }
        StringBuilder alternation = new StringBuilder("(?<![\\p{L}\\p{N}_])(?:");
        boolean first = true;
        for (var topic : topics.entrySet()) {
            if (topic.getValue().isEmpty()) {
                throw new IllegalArgumentException("topic '" + topic.getKey() + "' has no keywords");
            }
            for (String keyword : topic.getValue()) {
                String k = keyword.strip();
                if (k.isEmpty()) {
                    throw new IllegalArgumentException("topic '" + topic.getKey() + "' has a blank keyword");
                }
                alternation.append(first ? "" : "|").append(Pattern.quote(k));
                first = false;
            }
        }
        alternation.append(")(?![\\p{L}\\p{N}_])");
        return new TopicCheck(topics, Pattern.compile(alternation.toString(),
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
    }

    @Override
    public String kind() {
        return "topics";
    }

    @Override
    public Finding scan(String text) {
        return pattern.matcher(text).find() ? Finding.NONE : Finding.WHOLE;
    }

    @Override
    public boolean locates() {
        return false;
    }
}
