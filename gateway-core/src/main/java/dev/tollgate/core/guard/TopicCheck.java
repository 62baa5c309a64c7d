package dev.tollgate.core.guard;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A topic allow list: each allowed topic is a set of keywords (words or phrases, case-insensitive, whole words). The
 * check fires when the text mentions none of them: it is off-topic. Read on the last user message of a request
 * only (the conversation's current question), so it runs at the input stage.
 *
 * @param topics topic name to its keywords, in config order
 * @param keywords every keyword of every topic, compiled
 */
public record TopicCheck(Map<String, List<String>> topics, Terms keywords) implements GuardCheck {
    public TopicCheck {
        topics = Collections.unmodifiableMap(new LinkedHashMap<>(topics));
        requireNonNull(keywords, "keywords");
    }

    /** @throws IllegalArgumentException when there is no topic, a topic without keywords, or a blank keyword */
    public static TopicCheck of(Map<String, List<String>> topics) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("at least one topic is required");
        }
        List<String> all = new ArrayList<>();
        for (var topic : topics.entrySet()) {
            if (topic.getValue().isEmpty()) {
                throw new IllegalArgumentException("topic '" + topic.getKey() + "' has no keywords");
            }
            for (String keyword : topic.getValue()) {
                if (keyword.isBlank()) {
                    throw new IllegalArgumentException("topic '" + topic.getKey() + "' has a blank keyword");
                }
                all.add(keyword);
            }
        }
        return new TopicCheck(topics, Terms.of(all, "a topic keyword"));
    }

    @Override
    public String kind() {
        return "topics";
    }

    @Override
    public Finding scan(String text) {
        return keywords.any(text) ? Finding.NONE : Finding.WHOLE;
    }

    @Override
    public boolean locates() {
        return false;
    }
}
