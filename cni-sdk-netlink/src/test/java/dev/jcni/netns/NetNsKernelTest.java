package dev.jcni.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.netlink.Errno;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

@KernelTest
class NetNsKernelTest {

    @Test
    void getChecksThatThePathIsANamespace() throws IOException {
        String missing = "/var/run/netns/does-not-exist-" + Kernel.uniqueName("x");
        NsPathNotExistException e = assertThrows(NsPathNotExistException.class, () -> NetNs.get(missing));
        assertEquals("failed to Statfs \"" + missing + "\": no such file or directory", e.getMessage());
        assertEquals(Errno.ENOENT, e.errno());

        Path regular = Files.createTempFile("jcni", ".notns");
        try {
            NsPathNotNsException n = assertThrows(NsPathNotNsException.class, () -> NetNs.get(regular.toString()));
            assertTrue(n.getMessage().startsWith("unknown FS magic on \"" + regular + "\": "), n.getMessage());
        } finally {
            Files.delete(regular);
        }
        NsPathNotNsException proc = assertThrows(NsPathNotNsException.class, () -> NetNs.get("/sys"));
        assertEquals("unknown FS magic on \"/sys\": 62656572", proc.getMessage());
    }

    @Test
    void handlesOfTheSameNamespaceAreEqual() {
        try (TestNetns t = TestNetns.create();
             NetNs a = NetNs.get(t.path());
             NetNs b = NetNs.get("/proc/self/task/" + dev.jcni.netlink.sys.Sys.gettid() + "/ns/net");
             NetNs c = NetNs.current();
             NetNs d = NetNs.get("/proc/self/ns/net")) {
            assertNotEquals(a, b);
            assertEquals(b, c);
            assertEquals(c, d, "the test thread is in the process main thread's namespace");
            assertEquals(b.hashCode(), c.hashCode());
            assertTrue(c.isCurrent());
            assertFalse(a.isCurrent());
            NetNs inside = a.call(NetNs::current);
            try (inside) {
                assertEquals(a, inside);
            }
        }
    }

    @Test
    void runEntersAndAlwaysReturns() throws Exception {
        try (TestNetns t = TestNetns.create();
             NetNs target = NetNs.get(t.path());
             NetNs before = NetNs.current()) {
            String inode = target.call(() -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
            String observed = Kernel.exec("readlink", t.path().toString()).stdout().trim();
            // ip netns bind mount: the namespace file has the nsfs inode; compare through stat
            String statInode = Kernel.exec("stat", "-L", "-c", "%i", t.path().toString()).ok().trim();
            assertEquals("net:[" + statInode + "]", inode, observed);
            assertTrue(before.isCurrent());

            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> target.run(() -> {
                assertTrue(target.isCurrent());
                throw new IllegalStateException("boom");
            }));
            assertEquals("boom", thrown.getMessage());
            assertTrue(before.isCurrent(), "returned after the code threw");

            IOException checked = assertThrows(IOException.class, () -> target.run(() -> {
                throw new IOException("checked passes through");
            }));
            assertEquals("checked passes through", checked.getMessage());
            assertTrue(before.isCurrent());

            // nested
            int depth = target.call(() -> before.call(() -> before.isCurrent() ? 2 : -1));
            assertEquals(2, depth);
            assertTrue(before.isCurrent());
        }
    }

    @Test
    void closedHandleIsRefused() {
        try (TestNetns t = TestNetns.create()) {
            NetNs ns = NetNs.get(t.path());
            ns.close();
            ns.close();
            assertThrows(IllegalStateException.class, () -> ns.run(() -> { }));
            assertThrows(IllegalStateException.class, ns::fd);
        }
    }

    @Test
    void createAndDeleteLikeIpNetns() {
        String name = Kernel.uniqueName("jcnin-");
        try {
            try (NetNs ns = NetNs.create(name)) {
                assertTrue(Kernel.exec("ip", "netns", "list").ok().contains(name));
                assertEquals(NetNs.namedPath(name).toString(), ns.path());
                try (NetNs again = NetNs.get(NetNs.namedPath(name)); NetNs host = NetNs.current()) {
                    assertEquals(ns, again);
                    assertNotEquals(host, ns);
                }
                // the namespace is usable by iproute2: lo exists there
                assertTrue(Kernel.exec("ip", "-n", name, "-j", "link", "show", "lo").ok().contains("\"lo\""));
                NetNsException dup = assertThrows(NetNsException.class, () -> NetNs.create(name));
                assertEquals(Errno.EEXIST, dup.errno());
                String mounts = Kernel.exec("findmnt", "-n", "-o", "PROPAGATION", NetNs.NETNS_RUN_DIR).ok();
                assertTrue(mounts.contains("shared"), mounts);
            }
            NetNs.delete(name);
            assertFalse(Kernel.exec("ip", "netns", "list").ok().contains(name));
            assertThrows(NsPathNotExistException.class, () -> NetNs.delete(name));
        } finally {
            Kernel.exec("ip", "netns", "del", name);
        }
    }

    @Test
    void concurrentRunsOnManyThreadsKeepTheirNamespaces() throws Exception {
        try (TestNetns t = TestNetns.create(); NetNs target = NetNs.get(t.path()); NetNs host = NetNs.current()) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread[] threads = new Thread[8];
            for (int i = 0; i < threads.length; i++) {
                threads[i] = new Thread(() -> {
                    try {
                        for (int k = 0; k < 200; k++) {
                            boolean inside = target.call(target::isCurrent);
                            if (!inside || !host.isCurrent()) {
                                throw new AssertionError("wrong namespace at iteration " + k);
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                threads[i].start();
            }
            for (Thread th : threads) {
                th.join();
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertTrue(host.isCurrent());
        }
    }

    /** The namespace the calling thread is in, as its nsfs inode. */
    private static long threadNamespace() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/thread-self/ns/net"), "unix:ino")).longValue();
    }

    /**
     * A handle closed while other threads enter it: each call runs in the handle's namespace or is
     * refused as closed, never in the namespace of a descriptor that took the closed one's number
     * (another thread opens descriptors of a second namespace all the time to take it).
     */
    @Test
    void concurrentCloseNeverEntersAReusedDescriptor() throws Exception {
        try (TestNetns a = TestNetns.create(); TestNetns b = TestNetns.create(); NetNs host = NetNs.current()) {
            long targetIno = ((Number) Files.getAttribute(a.path(), "unix:ino")).longValue();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            java.util.concurrent.atomic.AtomicInteger entered = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
            for (int round = 0; round < 40 && failure.get() == null; round++) {
                NetNs target = NetNs.get(a.path());
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                Thread reuser = new Thread(() -> {
                    while (!stop.get()) {
                        NetNs.get(b.path()).close();
                    }
                });
                Thread[] users = new Thread[4];
                for (int i = 0; i < users.length; i++) {
                    users[i] = new Thread(() -> {
                        try {
                            for (int k = 0; k < 50; k++) {
                                long seen;
                                try {
                                    seen = target.call(NetNsKernelTest::threadNamespace);
                                } catch (IllegalStateException closed) {
                                    refused.incrementAndGet();
                                    continue;
                                }
                                entered.incrementAndGet();
                                if (seen != targetIno) {
                                    throw new AssertionError("entered namespace " + seen + " instead of " + targetIno);
                                }
                                if (!host.isCurrent()) {
                                    throw new AssertionError("did not return to the host namespace");
                                }
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    });
                }
                reuser.start();
                for (Thread u : users) {
                    u.start();
                }
                Thread.sleep(round % 5);
                target.close();
                for (Thread u : users) {
                    u.join();
                }
                stop.set(true);
                reuser.join();
                assertThrows(IllegalStateException.class, target::fd);
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertTrue(entered.get() > 0 && refused.get() > 0, "entered " + entered + ", refused " + refused);
        }
    }

    @Test
    void aHoldKeepsTheDescriptorOpenAcrossClose() throws IOException {
        try (TestNetns a = TestNetns.create()) {
            NetNs ns = NetNs.get(a.path());
            long ino = ((Number) Files.getAttribute(a.path(), "unix:ino")).longValue();
            try (NetNs.Hold hold = ns.hold()) {
                ns.close();
                assertThrows(IllegalStateException.class, () -> ns.run(() -> { }));
                Path fd = Path.of("/proc/self/fd/" + hold.fd());
                assertEquals(ino, ((Number) Files.getAttribute(fd, "unix:ino")).longValue(), "still open while held");
            }
        }
    }

    /**
     * Policy RETIRE: a thread that cannot return (the code closed the descriptor NetNs saved to return
     * with) is retired: the call throws, and the thread can neither enter a namespace, open a
     * netlink socket nor start a process through jcni again. Other threads are unaffected.
     */
    @Test
    void retirePolicyRetiresTheThreadThatCannotReturn() throws Exception {
        System.setProperty(NetNs.RESTORE_FAILURE_PROPERTY, "retire");
        try (TestNetns t = TestNetns.create(); NetNs target = NetNs.get(t.path()); NetNs host = NetNs.current()) {
            assertEquals(NetNs.RestoreFailurePolicy.RETIRE, NetNs.restoreFailurePolicy());
            String hostNs = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread worker = new Thread(() -> {
                try {
                    NsRestoreException e = assertThrows(NsRestoreException.class, () -> target.run(() -> {
                        dev.jcni.netlink.sys.Sys.close(newestDescriptorOf(hostNs));
                        throw new IOException("the body's own failure");
                    }));
                    assertEquals("the body's own failure", e.getSuppressed()[0].getMessage());
                    assertTrue(NetNs.isRetired());
                    assertTrue(target.isCurrent(), "the thread is stuck in the namespace: that is why it is retired");
                    assertThrows(IllegalStateException.class, () -> host.run(() -> { }));
                    assertThrows(IllegalStateException.class,
                            () -> dev.jcni.netlink.NetlinkSocket.open(dev.jcni.netlink.NetlinkSocket.NETLINK_ROUTE));
                    assertThrows(IllegalStateException.class,
                            () -> dev.jcni.sdk.internal.CallContext.processBuilder(java.util.List.of("/bin/true")));
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            worker.start();
            worker.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertFalse(NetNs.isRetired(), "only that thread is retired");
            assertTrue(target.call(target::isCurrent));
            assertTrue(host.isCurrent());
        } finally {
            System.clearProperty(NetNs.RESTORE_FAILURE_PROPERTY);
        }
        assertEquals(NetNs.RestoreFailurePolicy.HALT, NetNs.restoreFailurePolicy());
    }

    /** The newest descriptor of this process that refers to a namespace (NetNs's saved one, during run). */
    private static int newestDescriptorOf(String namespace) {
        int newest = -1;
        java.io.File[] fds = new java.io.File("/proc/self/fd").listFiles();
        for (java.io.File f : fds) {
            try {
                if (Files.readSymbolicLink(f.toPath()).toString().equals(namespace)) {
                    newest = Math.max(newest, Integer.parseInt(f.getName()));
                }
            } catch (IOException | NumberFormatException ignored) {
                // not one of interest
            }
        }
        return newest;
    }
}
