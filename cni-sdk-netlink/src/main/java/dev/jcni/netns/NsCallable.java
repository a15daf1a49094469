package dev.jcni.netns;

/**
 * Code that runs inside a namespace and returns a value; may throw a checked exception, which
 * {@link NetNs#call} passes on.
 *
 * @param <T> the result type
 * @param <E> the exception the code may throw
 */
@FunctionalInterface
public interface NsCallable<T, E extends Exception> {
    /**
     * @return the result
     * @throws E the code's own failure
     */
    T call() throws E;
}
