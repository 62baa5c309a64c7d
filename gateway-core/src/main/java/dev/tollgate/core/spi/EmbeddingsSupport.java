package dev.tollgate.core.spi;

import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.EmbeddingResponse;
import dev.tollgate.core.routing.Deployment;

/** The optional capability of an adapter whose provider serves embeddings. Same threading rules as the adapter. */
public interface EmbeddingsSupport {
    UpstreamCall prepareEmbeddings(EmbeddingRequest request, Deployment target);

    EmbeddingResponse parseEmbeddings(UpstreamReply reply);
}
