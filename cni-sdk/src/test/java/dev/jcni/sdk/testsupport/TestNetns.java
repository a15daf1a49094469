package dev.jcni.sdk.testsupport;

import java.nio.file.Path;

/**
 * A named network namespace for a test, made with {@code ip netns add} (iproute2 as a test-side
 * tool only) and deleted on {@link #close()}, also when the test failed.
 */
public final class TestNetns implements AutoCloseable {
    private final String name;

    private TestNetns(String name) {
        this.name = name;
    }

    /**
     * Creates a namespace named {@code jcnit-<hex>} with its loopback up.
     *
     * @return the namespace
     */
    public static TestNetns create() {
        String name = Kernel.uniqueName("jcnit-");
        Kernel.exec("ip", "netns", "add", name).ok();
        Kernel.exec("ip", "-n", name, "link", "set", "lo", "up").ok();
        return new TestNetns(name);
    }

    /** @return the namespace's name under /run/netns */
    public String name() {
        return name;
    }

    /** @return /run/netns/&lt;name&gt; */
    public Path path() {
        return Path.of("/run/netns", name);
    }

    /**
     * Runs a command inside the namespace with {@code ip netns exec}.
     *
     * @param command the command
     * @return its outcome
     */
    public Kernel.ExecResult exec(String... command) {
        String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = name;
        System.arraycopy(command, 0, full, 4, command.length);
        return Kernel.exec(full);
    }

    @Override
    public void close() {
        Kernel.exec("ip", "netns", "del", name);
    }

    @Override
    public String toString() {
        return path().toString();
    }
}
