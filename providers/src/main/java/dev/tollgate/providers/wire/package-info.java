/**
 * The wire plumbing the provider packages share: the one depth-bounded JSON factory with parser and generator
 * set-up, top-level object reading with its error mapping, raw-value capture, the scan of one member of an upstream
 * reply, the readers of upstream errors ({@code Retry-After} dates, body excerpts), the name-order walk over foreign
 * extensions and the JSON POST of header-keyed providers. What differs per dialect or provider (400 wording, mapping
 * tables) stays in its package. Internal to this module: types are public only because Java has no narrower
 * visibility across packages; nothing outside {@code dev.tollgate.providers} may use them.
 */
package dev.tollgate.providers.wire;
