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
}
