/**
 * Config reloads: the file watch, the reload pipeline (load, check, compile, swap), the numbered versions kept for
 * diffs and rollback, and the settings that wait for a restart.
 */
package dev.tollgate.server.reload;
