package dev.tollgate.core.prompt;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One immutable version of a prompt: what it renders to and the defaults it brings. A changed template, model or
 * parameter is a new version; the config refuses an edit of a version that is in force.
 *
 * @param number from 1 to {@link #MAX_NUMBER}
 * @param system the system text, or null
 * @param messages rendered before the client's own messages, in order
 * @param model the model group a request naming this version goes to when it names none itself, or null
 * @param params generation parameters a request gets when it sets none of its own ({@link Sampling}'s nulls: none)
 * @param note what changed in this version, for people; null when none was written
 */
public record PromptVersion(int number, Template system, List<PromptMessage> messages, String model,
                            Sampling params, String note) {
    /** The largest version number: nine digits, so that every number a request or the config writes fits. */
    public static final int MAX_NUMBER = 999_999_999;

    public PromptVersion {
        if (number < 1 || number > MAX_NUMBER) {
            throw new IllegalArgumentException("prompt versions are numbered from 1 to " + MAX_NUMBER);
        }
        messages = List.copyOf(messages);
        requireNonNull(params, "params");
        if (system == null && messages.isEmpty()) {
            throw new IllegalArgumentException("a prompt version renders a system text, messages or both");
        }
    }

    /** Whether {@code other} renders the same and brings the same defaults; the note may differ. */
    public boolean sameContent(PromptVersion other) {
        return number == other.number && Objects.equals(system, other.system) && messages.equals(other.messages)
                && Objects.equals(model, other.model) && params.equals(other.params);
    }

    /** Every variable the version reads, in order of first use (the system text first). */
    public Set<String> variables() {
        var names = new LinkedHashSet<String>();
        if (system != null) {
            names.addAll(system.variables());
        }
        for (PromptMessage m : messages) {
            names.addAll(m.content().variables());
        }
        return Collections.unmodifiableSet(names);
    }

    /**
     * Renders the version with {@code values}; variables it does not read are ignored, and one mapped to null has
     * no value.
     *
     * @param id the prompt's id, for the error
     * @throws GatewayException a 400 naming every variable that has no value
     */
    public Rendered render(String id, Map<String, String> values) {
        List<String> missing = variables().stream().filter(name -> values.get(name) == null).toList();
        if (!missing.isEmpty()) {
            throw new GatewayException(GatewayError.invalid("prompt.variables", "prompt_variables_missing",
                    "Prompt '" + id + "' version " + number + " needs "
                            + (missing.size() == 1 ? "variable " : "variables ") + String.join(", ", missing)
                            + "; the request gives no value for "
                            + (missing.size() == 1 ? "it." : "them.")));
        }
        var rendered = new ArrayList<Message>(messages.size());
        for (PromptMessage m : messages) {
            rendered.add(Message.text(m.role(), m.content().render(values)));
        }
        return new Rendered(system == null ? null : system.render(values), rendered);
    }

    /**
     * A rendered version: what is merged into the client's request.
     *
     * @param system the system text, or null
     * @param messages text messages to put before the client's own
     */
    public record Rendered(String system, List<Message> messages) {
        public Rendered {
            messages = List.copyOf(messages);
            for (Message m : messages) {
                if (m.role() == Role.TOOL || m.role() == Role.DEVELOPER) {
                    throw new IllegalArgumentException("a prompt renders system, user and assistant messages only");
                }
            }
        }
    }
}
