/** Who is calling: the virtual keys in force (config and runtime) and how a request's key is checked. */
package dev.tollgate.server.access;
