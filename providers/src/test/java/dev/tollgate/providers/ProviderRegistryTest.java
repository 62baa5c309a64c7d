package dev.tollgate.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.spi.ClientDialect;
import dev.tollgate.core.spi.EmbeddingsSupport;
import dev.tollgate.core.spi.Passthrough;
import dev.tollgate.providers.openai.OpenAiAdapter;
import dev.tollgate.providers.openai.OpenAiDialect;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

    private final ProviderRegistry registry = ProviderRegistry.standard();

    @Test
    void theStandardRegistryServesEveryProviderAndDialect() {
        assertThat(registry.types()).containsExactly("openai", "azure-openai", "anthropic", "gemini", "bedrock");
        assertThat(registry.dialect("anthropic").id()).isEqualTo("anthropic");
        assertThat(registry.adapter("openai")).isInstanceOf(OpenAiAdapter.class)
                .isInstanceOf(EmbeddingsSupport.class)
                .isInstanceOf(Passthrough.class);
        assertThat(registry.dialect("openai")).isInstanceOf(OpenAiDialect.class);
    }

    @Test
    void everyPassthroughAdapterNamesARegisteredDialect() {
        for (String type : registry.types()) {
            if (registry.adapter(type) instanceof Passthrough passthrough) {
                ClientDialect dialect = registry.dialect(passthrough.dialect());
                assertThat(dialect.id()).isEqualTo(passthrough.dialect());
            }
        }
    }

    @Test
    void unknownNamesAreRefusedWithTheKnownOnes() {
        assertThatThrownBy(() -> registry.adapter("azure-w"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("azure-w")
                .hasMessageContaining("openai");
        assertThatThrownBy(() -> registry.dialect("gemini")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("anthropic");
    }

    @Test
    void duplicateNamesAreRefused() {
        assertThatThrownBy(() -> new ProviderRegistry(List.of(new OpenAiAdapter(), new OpenAiAdapter()), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProviderRegistry(List.of(), List.of(new OpenAiDialect(), new OpenAiDialect())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRegistryCannotBeChangedFromOutside() {
        assertThatThrownBy(() -> registry.types().clear()).isInstanceOf(UnsupportedOperationException.class);
    }
}
