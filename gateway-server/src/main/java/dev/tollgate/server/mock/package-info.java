/** The built-in mock provider as an OpenAI-compatible HTTP server (demo, tests, benchmark). */
package dev.tollgate.server.mock;
