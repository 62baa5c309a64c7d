/** Money, prices per million tokens, the price book that finds a deployment's price, and what a request may cost. */
package dev.tollgate.core.pricing;
