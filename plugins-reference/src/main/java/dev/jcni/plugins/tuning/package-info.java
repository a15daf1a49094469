/**
 * The tuning meta plugin: sysctls of the container's network namespace and the attributes of its
 * interface, set on ADD, put back on DEL. See docs/tuning.md.
 */
package dev.jcni.plugins.tuning;
