/** The immutable runtime snapshot a request reads for its whole life, and the settings it carries. */
package dev.tollgate.core.runtime;
