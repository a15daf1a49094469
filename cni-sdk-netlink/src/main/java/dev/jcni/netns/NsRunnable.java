package dev.jcni.netns;

/**
 * Code that runs inside a namespace; may throw a checked exception, which {@link NetNs#run}
 * passes on.
 *
 * @param <E> the exception the code may throw
 */
@FunctionalInterface
public interface NsRunnable<E extends Exception> {
    /** @throws E the code's own failure */
    void run() throws E;
}
