/** The admin listener: health, readiness and metrics, on its own port. */
package dev.tollgate.server.admin;
