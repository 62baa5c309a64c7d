/** The YAML config: strict loading with line numbers, secret references, validation and compilation to a snapshot. */
package dev.tollgate.config;
