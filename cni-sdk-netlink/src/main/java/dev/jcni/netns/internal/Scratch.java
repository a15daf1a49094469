package dev.jcni.netns.internal;

import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netns.NetNs;
import dev.jcni.netns.NetNsException;
import dev.jcni.sdk.internal.ScratchNamespaces;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/**
 * cni-sdk-netlink's {@link ScratchNamespaces}: named namespaces {@code jcni-scratch-<pid>-<n>} made
 * as {@code ip netns add} makes them, loopback up, deleted on close. Not API.
 */
public final class Scratch implements ScratchNamespaces {
    /** For the service loader. */
    public Scratch() {
    }

    @Override
    public Optional<Session> open() {
        String prefix = "jcni-scratch-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        NetNs host;
        try {
            host = create(prefix + "-host");
        } catch (NetNsException | LinkageError | IllegalStateException e) {
            return Optional.empty(); // not root, no netlink: no scratch namespaces
        }
        return Optional.of(new ScratchSession(prefix, host));
    }

    private static NetNs create(String name) {
        NetNs ns = NetNs.create(name);
        try (NetlinkHandle h = NetlinkHandle.openAt(ns)) {
            h.linkSetUp(h.linkByName("lo").index());
        } catch (RuntimeException e) {
            ns.close();
            NetNs.delete(name);
            throw e;
        }
        return ns;
    }

    private static final class ScratchSession implements Session {
        private final String prefix;
        private final NetNs host;
        private final List<String> names = new ArrayList<>();

        ScratchSession(String prefix, NetNs host) {
            this.prefix = prefix;
            this.host = host;
            names.add(prefix + "-host");
        }

        @Override
        public synchronized String newContainer() {
            String name = prefix + "-c" + names.size();
            create(name).close();
            names.add(name);
            return NetNs.namedPath(name).toString();
        }

        @Override
        public <T> T inHost(Callable<T> body) throws Exception {
            return host.call(body::call);
        }

        @Override
        public synchronized void close() {
            host.close();
            for (String n : names) {
                try {
                    NetNs.delete(n);
                } catch (RuntimeException e) {
                    System.err.println("jcni: cannot delete the scratch namespace " + n + ": " + e.getMessage());
                }
            }
            names.clear();
        }
    }
}
