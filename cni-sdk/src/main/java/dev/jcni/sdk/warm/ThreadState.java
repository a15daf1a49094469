package dev.jcni.sdk.warm;

import dev.jcni.sdk.internal.CallContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a worker thread must still be after a call for it to serve the next one: in the daemon's
 * network, mount, UTS and IPC namespaces, with the daemon's working directory (a thread can get
 * one of its own), not retired by {@code NetNs}. What a call may change and the daemon can put
 * back (name, context class loader, priority, the interrupt flag) is put back; anything else
 * retires the thread: it ends instead of taking another call.
 */
final class ThreadState {
    private static final List<String> LINKS = List.of("/proc/thread-self/ns/net", "/proc/thread-self/ns/mnt",
            "/proc/thread-self/ns/uts", "/proc/thread-self/ns/ipc", "/proc/thread-self/cwd");

    private final String name;
    private final ClassLoader contextLoader;
    private final int priority;
    private final List<String> links;

    private ThreadState(String name, ClassLoader contextLoader, int priority, List<String> links) {
        this.name = name;
        this.contextLoader = contextLoader;
        this.priority = priority;
        this.links = links;
    }

    /** @return the calling thread's state */
    static ThreadState ofCurrentThread() {
        Thread t = Thread.currentThread();
        return new ThreadState(t.getName(), t.getContextClassLoader(), t.getPriority(), readLinks());
    }

    private static List<String> readLinks() {
        List<String> out = new ArrayList<>(LINKS.size());
        for (String l : LINKS) {
            try {
                out.add(Files.readSymbolicLink(Path.of(l)).toString());
            } catch (IOException | RuntimeException e) {
                out.add("unreadable: " + e);
            }
        }
        return out;
    }

    /**
     * Puts back what can be put back, and tells why the thread must not serve again, if it must not.
     *
     * @return the reason, or empty when the thread may take another call
     */
    Optional<String> restoreOrRetire() {
        Thread t = Thread.currentThread();
        t.setName(name);
        t.setContextClassLoader(contextLoader);
        t.setPriority(priority);
        Thread.interrupted();
        if (CallContext.isRetired()) {
            return Optional.of("it could not return to its network namespace");
        }
        List<String> now = readLinks();
        for (int i = 0; i < LINKS.size(); i++) {
            if (!now.get(i).equals(links.get(i))) {
                return Optional.of(LINKS.get(i) + " is " + now.get(i) + ", was " + links.get(i));
            }
        }
        return Optional.empty();
    }
}
