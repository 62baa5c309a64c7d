/** The proxy's Netty pipeline: edge checks, aggregation, route dispatch and the replies written before routing. */
package dev.tollgate.server.pipeline;
