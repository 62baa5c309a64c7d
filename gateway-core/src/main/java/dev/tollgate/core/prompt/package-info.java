/**
 * The prompt registry: versioned prompt templates named by id, labels pointing at versions, and experiments that
 * split a label's traffic between versions and model groups. Compiled from config into the runtime snapshot; read
 * by a request that names a prompt, which the gateway renders and merges before routing.
 */
package dev.tollgate.core.prompt;
