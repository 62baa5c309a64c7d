package dev.tollgate.core.spi;

/** What a model group serves, and so which upstream endpoint a call goes to. */
public enum Operation {
    CHAT, EMBEDDINGS
}
