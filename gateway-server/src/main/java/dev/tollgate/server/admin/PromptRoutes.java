package dev.tollgate.server.admin;

import static dev.tollgate.server.admin.AdminApi.done;
import static dev.tollgate.server.admin.AdminApi.param;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.config.ConfigDiff;
import dev.tollgate.config.ConfigEdits;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.prompt.Experiment;
import dev.tollgate.core.prompt.Prompt;
import dev.tollgate.core.prompt.PromptMessage;
import dev.tollgate.core.prompt.PromptRef;
import dev.tollgate.core.prompt.PromptRegistry;
import dev.tollgate.core.prompt.PromptVersion;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.server.admin.AdminApi.Reply;
import dev.tollgate.server.reload.ConfigReloader;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The admin routes of the prompt registry, under {@code /admin/prompts}. Reading and rendering work on the config
 * in force; moving a label edits the config file (labels are config), so the move is a new config version: checked,
 * audited and undone by a rollback like any edit.
 *
 * <pre>
 *  GET  /admin/prompts                          every prompt: versions (variables, model, note), labels, experiments
 *  GET  /admin/prompts/{id}                     one prompt with every version's full content
 *  GET  /admin/prompts/{id}/versions/{n}        one version's full content
 *  POST /admin/prompts/{id}/render              {"version": n | "label": "x", "variables": {...}}: the rendered
 *                                               system text and messages, model and params; no model is called
 *  GET  /admin/prompts/{id}/diff?from=N&amp;to=M    unified diff of two versions, text/plain (to: the newest;
 *                                               from: the version before it)
 *  PUT  /admin/prompts/{id}/labels/{label}      {"version": n}: point the label at version n (created when new)
 * </pre>
 */
final class PromptRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIFF_TYPE = "text/plain; charset=utf-8";
    private static final int DIFF_CONTEXT = 3;

    private final Supplier<RuntimeSnapshot> snapshot;
    private final ConfigReloader reloader;
    private final AdminApi.Auditing auditing;

    PromptRoutes(Supplier<RuntimeSnapshot> snapshot, ConfigReloader reloader, AdminApi.Auditing auditing) {
        this.snapshot = snapshot;
        this.reloader = reloader;
        this.auditing = auditing;
    }

    /** The methods a path under {@code prompts} answers; none when it is not a route. */
    static Set<HttpMethod> methods(String[] parts) {
        boolean named = parts.length > 1 && !parts[1].isEmpty();
        return switch (parts.length) {
            case 1 -> Set.of(HttpMethod.GET);
            case 2 -> named ? Set.of(HttpMethod.GET) : Set.of();
            case 3 -> !named ? Set.of() : switch (parts[2]) {
                case "render" -> Set.of(HttpMethod.POST);
                case "diff" -> Set.of(HttpMethod.GET);
                default -> Set.of();
            };
            case 4 -> !named || parts[3].isEmpty() ? Set.of() : switch (parts[2]) {
                case "versions" -> Set.of(HttpMethod.GET);
                case "labels" -> Set.of(HttpMethod.PUT);
                default -> Set.of();
            };
            default -> Set.of();
        };
    }

    /** The query parameters a route under {@code prompts} takes. */
    static Set<String> params(String[] parts) {
        return parts.length == 3 && parts[2].equals("diff") ? Set.of("from", "to") : Set.of();
    }

    /** Answers a request already checked against {@link #methods} and {@link #params}. */
    CompletionStage<Reply> route(String[] parts, QueryStringDecoder uri, String body, String actor) {
        PromptRegistry registry = snapshot.get().prompts();
        if (parts.length == 1) {
            ObjectNode out = JSON.createObjectNode();
            ArrayNode data = out.putArray("data");
            registry.prompts().values().forEach(p -> data.add(prompt(p, registry, false)));
            return done(Reply.json(HttpResponseStatus.OK, out));
        }
        Prompt prompt = registry.prompts().get(parts[1]);
        if (prompt == null) {
            return done(Reply.error(HttpResponseStatus.NOT_FOUND, "No prompt '" + parts[1] + "' is defined."));
        }
        if (parts.length == 2) {
            return done(Reply.json(HttpResponseStatus.OK, prompt(prompt, registry, true)));
        }
        return switch (parts[2]) {
            case "render" -> done(render(prompt, body));
            case "diff" -> {
                Integer to = optionalVersion(param(uri, "to"), "to");
                Integer from = optionalVersion(param(uri, "from"), "from");
                // Writing out and diffing long templates takes a while: off the event loop.
                yield reloader.submit(() -> diff(prompt, from, to));
            }
            case "versions" -> {
                PromptVersion v = prompt.version(version(parts[3], "version"));
                yield done(v == null ? noVersion(prompt, parts[3])
                        : Reply.json(HttpResponseStatus.OK, version(v, true).put("prompt", prompt.id())));
            }
            default -> moveLabel(prompt, parts[3], body, actor);
        };
    }

    private static ObjectNode prompt(Prompt p, PromptRegistry registry, boolean full) {
        ObjectNode out = JSON.createObjectNode().put("id", p.id()).put("description", p.description());
        ObjectNode labels = out.putObject("labels");
        p.labels().forEach(labels::put);
        ArrayNode versions = out.putArray("versions");
        p.versions().values().forEach(v -> versions.add(version(v, full)));
        ArrayNode experiments = out.putArray("experiments");
        for (Experiment e : registry.experiments().values()) {
            if (e.prompt().equals(p.id())) {
                experiments.add(experiment(e));
            }
        }
        return out;
    }

    /** An experiment's definition, as the prompt and experiment routes show it. */
    static ObjectNode experiment(Experiment e) {
        ObjectNode out = JSON.createObjectNode().put("name", e.name()).put("prompt", e.prompt())
                .put("label", e.label()).put("sticky", e.sticky().name().toLowerCase(Locale.ROOT));
        ArrayNode arms = out.putArray("arms");
        for (Experiment.Arm a : e.arms()) {
            arms.addObject().put("name", a.name()).put("version", a.version()).put("model", a.model())
                    .put("weight", a.weight());
        }
        return out;
    }

    /** A version: what it reads and brings, and with {@code full} what it renders. */
    private static ObjectNode version(PromptVersion v, boolean full) {
        ObjectNode out = JSON.createObjectNode().put("version", v.number()).put("model", v.model())
                .put("note", v.note());
        v.variables().forEach(out.putArray("variables")::add);
        if (full) {
            out.set("params", params(v.params()));
            out.put("system", v.system() == null ? null : v.system().source());
            ArrayNode messages = out.putArray("messages");
            for (PromptMessage m : v.messages()) {
                messages.addObject().put("role", role(m.role())).put("content", m.content().source());
            }
        }
        return out;
    }

    /** The parameters a version sets, by their config names; unset ones are left out. */
    private static ObjectNode params(Sampling s) {
        Map<String, Object> set = new LinkedHashMap<>();
        set.put("temperature", s.temperature());
        set.put("top_p", s.topP());
        set.put("max_tokens", s.maxTokens());
        set.put("stop", s.stop().isEmpty() ? null : s.stop());
        set.put("seed", s.seed());
        set.put("presence_penalty", s.presencePenalty());
        set.put("frequency_penalty", s.frequencyPenalty());
        set.put("n", s.n());
        set.values().removeIf(Objects::isNull);
        return JSON.valueToTree(set);
    }

    private static String role(Role role) {
        return role.name().toLowerCase(Locale.ROOT);
    }

    private static Reply render(Prompt prompt, String body) {
        JsonNode root = body(body);
        JsonNode versionField = root.get("version");
        JsonNode labelField = root.get("label");
        if (versionField != null && labelField != null) {
            throw new IllegalArgumentException("Give a version or a label, not both.");
        }
        PromptVersion version;
        String label = null;
        if (versionField != null) {
            if (!versionField.canConvertToInt() || !versionField.isIntegralNumber() || versionField.intValue() < 1) {
                throw new IllegalArgumentException("'version' must be a whole number from 1.");
            }
            version = prompt.version(versionField.intValue());
            if (version == null) {
                return noVersion(prompt, versionField.asText());
            }
        } else {
            if (labelField != null && !labelField.isTextual()) {
                throw new IllegalArgumentException("'label' must be a string.");
            }
            label = labelField != null ? labelField.textValue() : Prompt.DEFAULT_LABEL;
            Integer number = prompt.labels().get(label);
            if (number == null && labelField != null) {
                return Reply.error(HttpResponseStatus.NOT_FOUND, "Prompt '" + prompt.id() + "' has no label '" + label
                        + "'" + (prompt.labels().isEmpty() ? "." : "; it has " + String.join(", ",
                        prompt.labels().keySet()) + "."));
            }
            // Without a label of that name a request gets the newest version: the preview shows the same.
            version = number == null ? prompt.latest() : prompt.version(number);
            label = number == null ? null : label;
        }
        Map<String, String> values = variables(root.get("variables"));
        PromptVersion.Rendered rendered;
        try {
            rendered = version.render(prompt.id(), values);
        } catch (GatewayException e) {
            return Reply.error(HttpResponseStatus.BAD_REQUEST, e.error().message());
        }
        ObjectNode out = JSON.createObjectNode().put("prompt", prompt.id()).put("version", version.number())
                .put("label", label).put("model", version.model());
        out.set("params", params(version.params()));
        out.put("system", rendered.system());
        ArrayNode messages = out.putArray("messages");
        for (Message m : rendered.messages()) {
            messages.addObject().put("role", role(m.role())).put("content", m.text());
        }
        return Reply.json(HttpResponseStatus.OK, out);
    }

    private static Map<String, String> variables(JsonNode node) {
        Map<String, String> values = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("'variables' must be an object of strings.");
        }
        for (var field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw new IllegalArgumentException("Variable '" + field.getKey() + "' must be a string.");
            }
            values.put(field.getKey(), field.getValue().textValue());
        }
        return values;
    }

    private Reply diff(Prompt prompt, Integer from, Integer to) {
        int newer = to != null ? to : prompt.latest().number();
        Integer before = prompt.versions().lowerKey(newer);
        int older = from != null ? from : before != null ? before : newer;
        for (int n : new int[] {older, newer}) {
            if (prompt.version(n) == null) {
                return noVersion(prompt, Integer.toString(n));
            }
        }
        String diff = ConfigDiff.unified(written(prompt.version(older)), written(prompt.version(newer)),
                prompt.id() + "@" + older, prompt.id() + "@" + newer, DIFF_CONTEXT);
        return new Reply(HttpResponseStatus.OK, DIFF_TYPE, diff);
    }

    /** A version written out as YAML-like text, one field a line and texts as blocks: what a diff compares. */
    private static String written(PromptVersion v) {
        var out = new StringBuilder();
        if (v.model() != null) {
            out.append("model: ").append(v.model()).append('\n');
        }
        ObjectNode params = params(v.params());
        if (!params.isEmpty()) {
            out.append("params:\n");
            params.properties().forEach(p -> out.append("  ").append(p.getKey()).append(": ").append(p.getValue())
                    .append('\n'));
        }
        if (v.system() != null) {
            block(out, "system: |", "  ", v.system().source());
        }
        if (!v.messages().isEmpty()) {
            out.append("messages:\n");
            for (PromptMessage m : v.messages()) {
                out.append("  - role: ").append(role(m.role())).append('\n');
                block(out, "    content: |", "      ", m.content().source());
            }
        }
        if (v.note() != null) {
            out.append("note: ").append(v.note()).append('\n');
        }
        return out.toString();
    }

    private static void block(StringBuilder out, String head, String indent, String text) {
        out.append(head).append('\n');
        text.lines().forEach(l -> out.append(indent).append(l).append('\n'));
    }

    private CompletionStage<Reply> moveLabel(Prompt prompt, String label, String body, String actor) {
        try {
            PromptRef.checkName(label, "label", "label");
        } catch (GatewayException e) {
            throw new IllegalArgumentException(e.error().message());
        }
        JsonNode field = body(body).get("version");
        if (field == null || !field.isIntegralNumber() || !field.canConvertToInt() || field.intValue() < 1) {
            throw new IllegalArgumentException("The body is {\"version\": n}, n a whole number from 1.");
        }
        int number = field.intValue();
        if (prompt.version(number) == null) {
            return done(noVersion(prompt, Integer.toString(number)));
        }
        String id = prompt.id();
        String note = "label " + id + "@" + label + " -> " + number;
        return auditing.audited("prompt.label", actor,
                line -> line.field("prompt", id).field("label", label).field("version", number),
                () -> reloader.submit(() -> reloader.edit(text -> ConfigEdits.setLabel(text, id, label, number),
                        actor, note)).thenApply(result -> ConfigRoutes.reply(result, out -> out.put("prompt", id)
                                .put("label", label).put("label_version", number))));
    }

    /** A JSON object body; anything else is a 400. */
    static JsonNode body(String body) {
        JsonNode root;
        try {
            root = body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("The body is not valid JSON.");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("The body must be a JSON object.");
        }
        return root;
    }

    private static Reply noVersion(Prompt prompt, String number) {
        return Reply.error(HttpResponseStatus.NOT_FOUND, "Prompt '" + prompt.id() + "' has no version " + number
                + "; it has " + prompt.versions().keySet().stream().map(String::valueOf)
                .collect(Collectors.joining(", ")) + ".");
    }

    private static Integer optionalVersion(String text, String name) {
        return text == null ? null : version(text, name);
    }

    private static int version(String text, String name) {
        try {
            int n = Integer.parseInt(text);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // worded below
        }
        throw new IllegalArgumentException("'" + name + "' must be a prompt version, a whole number from 1; got '"
                + text + "'.");
    }
}
