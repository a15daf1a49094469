package dev.jcni.netlink;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.netlink.sys.Sys;
import dev.jcni.netns.NetNs;
import dev.jcni.netns.NsRestoreException;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A socket opened in a namespace the thread then cannot leave is closed, not leaked. */
@KernelTest
class NetlinkSocketRetireKernelTest {
    static String nsOf(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
            return "";
        }
    }

    /** The newest descriptor of this process open on a namespace: the one NetNs saved to return with. */
    static int savedReturnDescriptor(String namespace) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(f -> nsOf(f).equals(namespace)).mapToInt(f -> Integer.parseInt(f.getFileName().toString()))
                    .max().orElseThrow();
        }
    }

    @Test
    void openAtClosesItsSocketWhenTheThreadIsRetired() throws Exception {
        System.setProperty(NetNs.RESTORE_FAILURE_PROPERTY, "retire");
        try (TestNetns t = TestNetns.create(); NetNs target = NetNs.get(t.path())) {
            String hostNs = nsOf(Path.of("/proc/thread-self/ns/net"));
            AtomicReference<NetlinkSocket> opened = new AtomicReference<>();
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread worker = new Thread(() -> {
                try {
                    NetlinkSocket.openAt(NetlinkSocket.NETLINK_ROUTE, target, s -> {
                        opened.set(s);
                        try {
                            Sys.close(savedReturnDescriptor(hostNs));
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    outcome.set(new AssertionError("openAt returned although the thread could not leave"));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            worker.start();
            worker.join();
            assertInstanceOf(NsRestoreException.class, outcome.get());
            assertTrue(opened.get().toString().endsWith(", closed]"), opened.get().toString());
        } finally {
            System.clearProperty(NetNs.RESTORE_FAILURE_PROPERTY);
        }
    }
}
