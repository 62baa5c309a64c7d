package dev.tollgate.core.spi;

import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.EmbeddingResponse;

/** The optional capability of a client dialect whose API has an embeddings endpoint. Same rules as the dialect. */
public interface EmbeddingsDialect {
    EmbeddingRequest decodeEmbeddings(byte[] body);

    /** {@code encodingFormat} is the one the request asked for ({@link EmbeddingRequest#encodingFormat()}). */
    byte[] encodeEmbeddings(EmbeddingResponse response, String encodingFormat);
}
