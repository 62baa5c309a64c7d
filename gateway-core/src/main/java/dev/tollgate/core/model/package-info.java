/** The canonical model: the records every client dialect and upstream adapter translates to and from. */
package dev.tollgate.core.model;
