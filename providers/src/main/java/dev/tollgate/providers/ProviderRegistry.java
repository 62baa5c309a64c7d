package dev.tollgate.providers;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.spi.ClientDialect;
import dev.tollgate.core.spi.ProviderAdapter;
import dev.tollgate.providers.anthropic.AnthropicAdapter;
import dev.tollgate.providers.anthropic.AnthropicDialect;
import dev.tollgate.providers.azure.AzureOpenAiAdapter;
import dev.tollgate.providers.bedrock.BedrockAdapter;
import dev.tollgate.providers.gemini.GeminiAdapter;
import dev.tollgate.providers.openai.OpenAiAdapter;
import dev.tollgate.providers.openai.OpenAiDialect;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The adapters and dialects the gateway knows, by name: an explicit list (no reflection, no service loading), so
 * what a build supports is read here. Immutable and thread-safe; built once at startup.
 */
public final class ProviderRegistry {

    private final Map<String, ProviderAdapter> adapters;
    private final Map<String, ClientDialect> dialects;

    /** Rejects two adapters of one type or two dialects of one id. */
    public ProviderRegistry(List<ProviderAdapter> adapters, List<ClientDialect> dialects) {
        var byType = new LinkedHashMap<String, ProviderAdapter>();
        for (ProviderAdapter adapter : adapters) {
            if (byType.putIfAbsent(adapter.type(), adapter) != null) {
                throw new IllegalArgumentException("two adapters for provider type '" + adapter.type() + "'");
            }
        }
        var byId = new LinkedHashMap<String, ClientDialect>();
        for (ClientDialect dialect : dialects) {
            if (byId.putIfAbsent(dialect.id(), dialect) != null) {
                throw new IllegalArgumentException("two dialects with id '" + dialect.id() + "'");
            }
        }
        this.adapters = Collections.unmodifiableMap(byType);
        this.dialects = Collections.unmodifiableMap(byId);
    }

    /** Everything this module ships. */
    public static ProviderRegistry standard() {
        return new ProviderRegistry(
                List.of(new OpenAiAdapter(), new AzureOpenAiAdapter(), new AnthropicAdapter(), new GeminiAdapter(),
                        new BedrockAdapter()),
                List.of(new OpenAiDialect(), new AnthropicDialect()));
    }

    /** The adapter for a provider {@code type} from config; IllegalArgumentException naming the known types. */
    public ProviderAdapter adapter(String type) {
        ProviderAdapter adapter = adapters.get(requireNonNull(type, "type"));
        if (adapter == null) {
            throw new IllegalArgumentException("unknown provider type '" + type + "'; known types: " + adapters.keySet());
        }
        return adapter;
    }

    /** The provider types config may name, in registration order. */
    public Set<String> types() {
        return adapters.keySet();
    }

    /** The client dialect with this id; IllegalArgumentException naming the known ids. */
    public ClientDialect dialect(String id) {
        ClientDialect dialect = dialects.get(requireNonNull(id, "id"));
        if (dialect == null) {
            throw new IllegalArgumentException("unknown client dialect '" + id + "'; known dialects: " + dialects.keySet());
        }
        return dialect;
    }
}
