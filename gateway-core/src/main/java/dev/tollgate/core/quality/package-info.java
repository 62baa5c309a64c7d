/** Answer quality: callers' feedback on requests, and the sampled, redacted request/answer pairs kept for review. */
package dev.tollgate.core.quality;
