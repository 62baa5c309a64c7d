/** Money, prices per million tokens, and what a request costs or may cost at worst. */
package dev.tollgate.core.pricing;
