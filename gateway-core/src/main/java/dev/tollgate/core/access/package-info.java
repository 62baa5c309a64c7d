/** Virtual keys and teams: who may call, with which limits, budgets and scopes. */
package dev.tollgate.core.access;
