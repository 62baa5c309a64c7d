/** Feedback on answers ({@code POST /v1/feedback}) and review sampling: the recent-request index, the queue and writer. */
package dev.tollgate.server.quality;
