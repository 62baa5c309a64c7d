/** Providers, deployments and model groups as compiled from config, and the pure choice among deployments. */
package dev.tollgate.core.routing;
