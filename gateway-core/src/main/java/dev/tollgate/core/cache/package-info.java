/** The exact-match response cache: keys, what may be cached, the store port and its Caffeine store. */
package dev.tollgate.core.cache;
