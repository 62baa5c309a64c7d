/**
 * The admin commands of the command line ({@code tollgate keys}, {@code spend}, {@code config}): clients of the
 * admin API over HTTP, with human tables by default and the gateway's JSON on request.
 */
package dev.tollgate.server.cli;
