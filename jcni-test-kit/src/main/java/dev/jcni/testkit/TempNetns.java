package dev.jcni.testkit;

import dev.jcni.netlink.route.Family;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netns.NetNs;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.testing.PluginHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A temporary named network namespace for a test ({@code /var/run/netns/jcnik-<hex>}, loopback up),
 * removed by {@link #close()}. Needs root. {@link NetnsExtension} makes one per test and removes it
 * even when the test fails; without JUnit use try-with-resources.
 *
 * <pre>{@code
 * try (TempNetns ns = TempNetns.create()) {
 *     Result r = ns.harness(new MyPlugin()).run("ADD", CONFIG).result();
 *     assertEquals("eth0", r.interfaces().get(0).name());
 * }
 * }</pre>
 * (compiled and run as it is here by the test kit's JavadocExamplesTest)
 */
public final class TempNetns implements AutoCloseable {
    private final String name;
    private final String containerId;

    private TempNetns(String name) {
        this.name = name;
        this.containerId = "jcni-test-" + name.substring(name.indexOf('-') + 1);
    }

    /**
     * Creates a namespace with a unique name and brings its loopback up, as runtimes do.
     *
     * @return the namespace; close it
     */
    public static TempNetns create() {
        String name = String.format("jcnik-%08x", ThreadLocalRandom.current().nextInt());
        NetNs.create(name).close();
        TempNetns ns = new TempNetns(name);
        try (NetNs h = NetNs.get(ns.path()); NetlinkHandle nl = NetlinkHandle.openAt(h)) {
            nl.linkSetUp(nl.linkByName("lo").index());
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** @return the name under /var/run/netns */
    public String name() {
        return name;
    }

    /** @return the namespace's path, for {@code CNI_NETNS} */
    public Path path() {
        return NetNs.namedPath(name);
    }

    /** @return a container id unique to this namespace, for {@code CNI_CONTAINERID} */
    public String containerId() {
        return containerId;
    }

    /** @return true until {@link #close()} (or someone else) removed it */
    public boolean exists() {
        return Files.exists(path());
    }

    /**
     * An in-process harness for this namespace: {@code CNI_NETNS} = {@link #path()},
     * {@code CNI_CONTAINERID} = {@link #containerId()}, {@code CNI_IFNAME=eth0}; the plugin runs
     * through the real skel ({@code PluginMain.execute}).
     *
     * @param plugin the plugin
     * @return the harness (set {@code CNI_PATH} with {@code env} when the plugin delegates)
     */
    public PluginHarness harness(Plugin plugin) {
        return preset(PluginHarness.of(plugin));
    }

    /**
     * The same for a plugin executable, exec'd as a runtime does ({@code CNI_PATH} = its directory).
     *
     * @param executable the plugin's path
     * @return the harness
     */
    public PluginHarness harness(Path executable) {
        return preset(PluginHarness.ofExecutable(executable));
    }

    private PluginHarness preset(PluginHarness h) {
        return h.attachment(containerId, path().toString(), "eth0");
    }

    /**
     * What is in the namespace: its links, addresses and routes of every table, one line each,
     * sorted, so that two snapshots compare with {@code equals} and a difference reads well.
     *
     * @return the snapshot
     */
    public Snapshot snapshot() {
        List<String> links = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        List<String> routes = new ArrayList<>();
        try (NetNs h = NetNs.get(path()); NetlinkHandle nl = NetlinkHandle.openAt(h)) {
            for (var l : nl.linkList()) {
                links.add(l.name() + l.kind().map(k -> " (" + k + ")").orElse("") + (l.isUp() ? " up" : " down"));
                for (var a : nl.addrList(l.index(), Family.ALL)) {
                    addresses.add(l.name() + " " + a.prefix());
                }
            }
            // every table (0 = RT_TABLE_UNSPEC)
            for (var r : nl.routeList(Family.ALL, 0)) {
                routes.add(r.toString());
            }
        }
        links.sort(null);
        addresses.sort(null);
        routes.sort(null);
        return new Snapshot(List.copyOf(links), List.copyOf(addresses), List.copyOf(routes));
    }

    /**
     * The contents of a namespace.
     *
     * @param links "name (kind) up|down"
     * @param addresses "link prefix"
     * @param routes one route each
     */
    public record Snapshot(List<String> links, List<String> addresses, List<String> routes) {
        /**
         * @param before an earlier snapshot
         * @return what this one has that {@code before} had not, one item per line; empty when nothing
         */
        public List<String> addedSince(Snapshot before) {
            List<String> out = new ArrayList<>();
            added("link ", links, before.links, out);
            added("address ", addresses, before.addresses, out);
            added("route ", routes, before.routes, out);
            return out;
        }

        private static void added(String what, List<String> now, List<String> then, List<String> out) {
            for (String s : now) {
                if (!then.contains(s)) {
                    out.add(what + s);
                }
            }
        }
    }

    /** Removes the namespace (nothing happens when it is already gone). */
    @Override
    public void close() {
        if (exists()) {
            NetNs.delete(name);
        }
    }

    @Override
    public String toString() {
        return path().toString();
    }
}
