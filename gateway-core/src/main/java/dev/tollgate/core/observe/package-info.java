/** What the gateway reports about each exchange: the summary record and the metrics port. */
package dev.tollgate.core.observe;
