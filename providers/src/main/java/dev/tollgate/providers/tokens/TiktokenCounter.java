package dev.tollgate.providers.tokens;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.ResponseFormat;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Tool;
import dev.tollgate.core.pricing.TokenCounter;
import java.util.Collection;
import java.util.Locale;

/**
 * Counts input tokens with OpenAI's own tokenizers (JTokkit) for OpenAI's models, and estimates high for every
 * other model. Which applies is told from the upstream model name alone ({@code gpt-4o-mini}, {@code o3},
 * {@code text-embedding-3-small}); an Azure deployment named otherwise is estimated.
 *
 * <p>OpenAI models: o200k_base or cl100k_base, with the chat framing of OpenAI's cookbook ("How to count tokens
 * with tiktoken"): 3 tokens a message plus its role, 1 more for a participant name, 3 to prime the reply. Tool
 * definitions are counted from their JSON, which has more punctuation than the form OpenAI renders them in, so
 * the count errs high; images count a flat, high figure.
 *
 * <p>Other models: the cl100k count times 1.5 plus fixed framing. Anthropic's tokenizer is not public and yields
 * more tokens than cl100k (commonly measured at 15-30% more for English prose, more for code); Gemini's and
 * Llama 3's larger vocabularies yield fewer. Half as much again covers the dearest of these with margin, and a
 * reservation is settled against the provider's actual count, so erring high costs headroom for a moment, never
 * money. Character ratios were rejected: chars/3 undercounts CJK text, where one character is a token or more.
 *
 * <p>Immutable and thread-safe. Each vocabulary is loaded once per JVM, when it is first needed: about half a second
 * of CPU and 15 MB (cl100k) or 30 MB (o200k) of heap, so {@link #warmUp} loads those a config needs at startup,
 * and a gateway whose models are not OpenAI's never holds o200k. Counting is pure CPU and never blocks.
 */
public final class TiktokenCounter implements TokenCounter {
    private static final int TOKENS_PER_MESSAGE = 3;
    private static final int TOKENS_PER_NAME = 1;
    private static final int REPLY_PRIMING = 3;
    /** A call's framing besides its id, name and arguments; not documented by OpenAI, set above what is seen. */
    private static final int TOKENS_PER_TOOL_CALL = 8;
    /** The tools block's header and each definition's framing; above the cookbook's measured constants. */
    private static final int TOOLS_HEADER = 12;
    private static final int TOKENS_PER_TOOL = 12;
    /**
     * One image, whatever its size or detail: gpt-4o's largest high-detail image is 1,445 tokens (85 + 8 tiles of
     * 170), patch-based models reach 1,536 patches times their multiplier (2.46 at most, 3,779), Claude caps images
     * near 1,600 and Gemini counts 258 a tile.
     */
    static final long IMAGE_TOKENS = 3_800;
    /** gpt-4o-mini bills images at 2,833 tokens plus 5,667 a tile, up to 8 tiles. */
    static final long GPT_4O_MINI_IMAGE_TOKENS = 2_833 + 8 * 5_667;
    /** Framing other providers add around a request (system turns, start and end markers). */
    static final long ELSEWHERE_FRAMING = 16;
    /** Beginning and end markers some embedding tokenizers add to each input. */
    static final long ELSEWHERE_PER_INPUT = 2;
    /** Anthropic adds a hidden system prompt when tools are offered: 159 to 530 tokens by model, per its docs. */
    static final long ELSEWHERE_TOOL_PROMPT = 600;

    /**
     * Loads now the vocabularies that counting for {@code upstreamModels} uses, so the first request that needs a
     * count does not wait for one on its event loop. Counters share them, loaded once per JVM; a gateway that never
     * counts (no token limit and no budget configured) never loads any, which keeps them off its start-up. A model
     * a reload adds that needs another vocabulary loads it on its first count.
     */
    public static void warmUp(Collection<String> upstreamModels) {
        for (String model : upstreamModels) {
            tokenizer(Vocabulary.of(model)).role(Role.USER);
        }
    }

    @Override
    public long inputTokens(ChatRequest request, String providerType, String upstreamModel) {
        Vocabulary vocabulary = Vocabulary.of(upstreamModel);
        if (vocabulary == null) {
            Count count = count(request, tokenizer(null));
            long tools = request.tools().isEmpty() ? 0 : ELSEWHERE_TOOL_PROMPT;
            return scaledUp(count.text()) + ELSEWHERE_FRAMING + tools + count.images() * IMAGE_TOKENS;
        }
        Count count = count(request, tokenizer(vocabulary));
        return count.text() + count.images() * imageTokens(upstreamModel);
    }

    @Override
    public long inputTokens(EmbeddingRequest request, String providerType, String upstreamModel) {
        Vocabulary vocabulary = Vocabulary.of(upstreamModel);
        long tokens = 0;
        for (String input : request.inputs()) {
            int counted = tokenizer(vocabulary).count(input);
            tokens += vocabulary == null ? scaledUp(counted) + ELSEWHERE_PER_INPUT : counted;
        }
        return tokens;
    }

    /** Text tokens with OpenAI's chat framing, and the number of images, in one pass. */
    private static Count count(ChatRequest request, Tokenizer tokenizer) {
        long text = REPLY_PRIMING;
        long images = 0;
        for (Message message : request.messages()) {
            text += TOKENS_PER_MESSAGE + tokenizer.role(message.role());
            if (message.name() != null) {
                text += TOKENS_PER_NAME + tokenizer.count(message.name());
            }
            for (Part part : message.parts()) {
                switch (part) {
                    case Part.Text t -> text += tokenizer.count(t.text());
                    case Part.Image i -> images++;
                    case Part.ToolCall c -> text += TOKENS_PER_TOOL_CALL + tokenizer.count(c.id())
                            + tokenizer.count(c.name()) + tokenizer.count(c.arguments());
                    case Part.ToolResult r -> text += tokenizer.count(r.toolCallId()) + tokenizer.count(r.content());
                }
            }
        }
        if (!request.tools().isEmpty()) {
            text += TOOLS_HEADER;
            for (Tool tool : request.tools()) {
                text += TOKENS_PER_TOOL + tokenizer.count(tool.name()) + tokenizer.count(tool.parameters().json())
                        + (tool.description() == null ? 0 : tokenizer.count(tool.description()));
            }
        }
        // structured outputs put the schema in front of the model too
        if (request.responseFormat() instanceof ResponseFormat.JsonSchema schema) {
            text += tokenizer.count(schema.name()) + tokenizer.count(schema.schema().json());
        }
        return new Count(text, images);
    }

    /** Half as much again, rounded up. */
    private static long scaledUp(long tokens) {
        return Math.ceilDiv(Math.multiplyExact(tokens, 3), 2);
    }

    private static long imageTokens(String upstreamModel) {
        String name = upstreamModel.strip().toLowerCase(Locale.ROOT);
        return name.equals("gpt-4o-mini") || name.startsWith("gpt-4o-mini-") ? GPT_4O_MINI_IMAGE_TOKENS : IMAGE_TOKENS;
    }

    /** The tokenizer of {@code vocabulary}; cl100k, scaled up by the callers, for models that are not OpenAI's. */
    private static Tokenizer tokenizer(Vocabulary vocabulary) {
        return vocabulary == Vocabulary.O200K_BASE ? O200k.TOKENIZER : Cl100k.TOKENIZER;
    }

    private record Count(long text, long images) {}

    /** An encoding with its role names counted once. */
    private static final class Tokenizer {
        private final Encoding encoding;
        private final int[] roleTokens = new int[Role.values().length];

        Tokenizer(EncodingType type) {
            // a lazy registry builds only the encoding asked for; the eager one would build them all
            this.encoding = Encodings.newLazyEncodingRegistry().getEncoding(type);
            for (Role role : Role.values()) {
                roleTokens[role.ordinal()] = count(role.name().toLowerCase(Locale.ROOT));
            }
        }

        int role(Role role) {
            return roleTokens[role.ordinal()];
        }

        /** Special-token text in a prompt ({@code <|endoftext|>}) is plain text to the API, so it is counted so. */
        int count(String text) {
            return encoding.countTokensOrdinary(text);
        }
    }

    /** Holders, one per vocabulary, so each is built on its own first use. JTokkit's encodings are thread-safe. */
    private static final class O200k {
        static final Tokenizer TOKENIZER = new Tokenizer(EncodingType.O200K_BASE);
    }

    private static final class Cl100k {
        static final Tokenizer TOKENIZER = new Tokenizer(EncodingType.CL100K_BASE);
    }
}
