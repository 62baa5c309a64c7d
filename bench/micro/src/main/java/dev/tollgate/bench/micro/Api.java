package dev.tollgate.bench.micro;

import dev.tollgate.core.spi.ClientDialect;
import dev.tollgate.core.spi.ProviderAdapter;
import dev.tollgate.providers.anthropic.AnthropicAdapter;
import dev.tollgate.providers.anthropic.AnthropicDialect;
import dev.tollgate.providers.openai.OpenAiAdapter;
import dev.tollgate.providers.openai.OpenAiDialect;
import java.util.List;
import java.util.Locale;

/**
 * An LLM API as both sides of the gateway speak it: the client dialect that reads requests and writes answers, and
 * the provider adapter that writes upstream requests and reads replies and streams. Each holds the production
 * instances (stateless and thread-safe) and the fixtures of that API.
 */
public enum Api {
    OPENAI(new OpenAiDialect(), new OpenAiAdapter(), "chat") {
        @Override
        byte[] conversation() {
            return Conversation.openAi(model());
        }

        @Override
        List<String> transcript() {
            return Transcript.openAi();
        }
    },
    ANTHROPIC(new AnthropicDialect(), new AnthropicAdapter(), "claude") {
        @Override
        byte[] conversation() {
            return Conversation.anthropic(model());
        }

        @Override
        List<String> transcript() {
            return Transcript.anthropic();
        }
    };

    private final ClientDialect dialect;
    private final ProviderAdapter adapter;
    private final String model;

    Api(ClientDialect dialect, ProviderAdapter adapter, String model) {
        this.dialect = dialect;
        this.adapter = adapter;
        this.model = model;
    }

    ClientDialect dialect() {
        return dialect;
    }

    ProviderAdapter adapter() {
        return adapter;
    }

    /** The public model group of {@code gateway.yaml} whose deployment speaks this API. */
    String model() {
        return model;
    }

    /** A chat request body in this dialect, naming {@link #model()}. */
    byte[] request(BodySize size) {
        return switch (size) {
            case SMALL -> Fixtures.resource(label() + "-request.json");
            case LARGE -> conversation();
        };
    }

    /** A non-streamed 2xx reply of this API, answering the small request. */
    byte[] reply() {
        return Fixtures.resource(label() + "-reply.json");
    }

    /** The {@link BodySize#LARGE} request. */
    abstract byte[] conversation();

    /** A streamed answer, one server-sent event (its blank line included) per element. */
    abstract List<String> transcript();

    private String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
