/** Network namespaces: open, create, delete, and run code inside one on a pinned thread. */
package dev.jcni.netns;
