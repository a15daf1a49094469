package dev.jcni.netlink.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jcni.netlink.Errno;
import dev.jcni.netlink.NetlinkException;
import dev.jcni.netns.NetNs;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.TestNetns;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A temporary namespace made by iproute2 (the independent observer), a {@link NetNs} handle on it
 * and a {@link NetlinkHandle} working in it. Everything is removed on close.
 */
final class Sandbox implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final TestNetns t;
    final NetNs ns;
    final NetlinkHandle nl;

    private Sandbox() {
        t = TestNetns.create();
        NetNs n = null;
        NetlinkHandle h = null;
        try {
            n = NetNs.get(t.path());
            h = NetlinkHandle.openAt(n);
        } catch (RuntimeException e) {
            if (n != null) {
                n.close();
            }
            t.close();
            throw e;
        }
        ns = n;
        nl = h;
    }

    static Sandbox create() {
        return new Sandbox();
    }

    String name() {
        return t.name();
    }

    /** Runs {@code ip -n <ns> -j <args>} and parses the JSON. */
    JsonNode ipJson(String... args) {
        return json("ip", args);
    }

    /** Runs {@code tc -n <ns> -j <args>} and parses the JSON. */
    JsonNode tcJson(String... args) {
        return json("tc", args);
    }

    private JsonNode json(String tool, String... args) {
        String[] full = new String[args.length + 4];
        full[0] = tool;
        full[1] = "-n";
        full[2] = t.name();
        full[3] = "-j";
        System.arraycopy(args, 0, full, 4, args.length);
        String out = Kernel.exec(full).ok();
        try {
            return JSON.readTree(out.isBlank() ? "[]" : out);
        } catch (IOException e) {
            throw new UncheckedIOException(out, e);
        }
    }

    /** The {@code ip -d -j link show dev <name>} entry. */
    JsonNode ipLink(String name) {
        return ipJson("-d", "link", "show", "dev", name).get(0);
    }

    Kernel.ExecResult ip(String... args) {
        String[] full = new String[args.length + 3];
        full[0] = "ip";
        full[1] = "-n";
        full[2] = t.name();
        System.arraycopy(args, 0, full, 3, args.length);
        return Kernel.exec(full);
    }

    /** Creates a link, or skips the test naming the feature when this kernel lacks the link type. */
    void addOrSkip(LinkSpec spec, String feature) {
        try {
            nl.linkAdd(spec);
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EOPNOTSUPP) {
                Kernel.skipMissingFeature(feature, e.getMessage());
            }
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            nl.close();
            ns.close();
        } finally {
            t.close();
        }
    }
}
