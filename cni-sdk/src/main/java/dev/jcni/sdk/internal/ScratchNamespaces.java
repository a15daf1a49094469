package dev.jcni.sdk.internal;

import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

/**
 * Throw-away network namespaces for training runs: a scratch "host" namespace in which a plugin's
 * host-side work happens, and container namespaces for {@code CNI_NETNS}, all removed afterwards.
 * cni-sdk cannot make namespaces itself (that takes the netlink module's system calls), so
 * cni-sdk-netlink provides this service; without it, or without the privilege, there is none.
 */
public interface ScratchNamespaces {

    /**
     * @return a session, or empty when this process cannot create namespaces (not root)
     */
    Optional<Session> open();

    /** Namespaces made for one training run; {@link #close()} removes them all. */
    interface Session extends AutoCloseable {
        /**
         * @return the path of a new, empty container namespace (loopback up)
         */
        String newContainer();

        /**
         * Runs code on the calling thread inside the scratch host namespace; processes it starts
         * start there too.
         *
         * @param body the code
         * @param <T> its result
         * @return what it returned
         * @throws Exception what it threw
         */
        <T> T inHost(Callable<T> body) throws Exception;

        /** Removes every namespace of the session. */
        @Override
        void close();
    }

    /**
     * @return a session from the first provider that can open one
     */
    static Optional<Session> openAny() {
        for (ScratchNamespaces s : ServiceLoader.load(ScratchNamespaces.class, ScratchNamespaces.class.getClassLoader())) {
            Optional<Session> session = s.open();
            if (session.isPresent()) {
                return session;
            }
        }
        return Optional.empty();
    }
}
