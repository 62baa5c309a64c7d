/**
 * Online evaluation: scoring a sample of completed requests (and a scheduled bias probe set) in the background, so
 * that a model or prompt change that quietly makes answers worse shows on a dashboard. The types here are pure:
 * what is configured, how judgements are read, and what a result is. The server runs them off the request path.
 */
package dev.tollgate.core.eval;
