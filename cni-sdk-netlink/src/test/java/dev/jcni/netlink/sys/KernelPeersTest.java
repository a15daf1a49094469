package dev.jcni.netlink.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.internal.PeerProcesses;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm-mode daemon's source of truth about its callers: SO_PEERCRED and a pidfd of a JDK channel's peer. */
class KernelPeersTest {
    @TempDir
    Path dir;

    @Test
    void theKernelNamesThePeerOfAJdkChannel() throws Exception {
        Path sock = dir.resolve("peer.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Process client = new ProcessBuilder("python3", "-c",
                    "import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.recv(1)", sock.toString())
                    .start();
            try (SocketChannel accepted = server.accept();
                 PeerProcesses.Peer peer = new KernelPeers().of(accepted)) {
                assertEquals(client.pid(), peer.pid(), "the connecting process, not this one");
                assertEquals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"), peer.uid());
                assertTrue(peer.isStillThere());
                client.destroyForcibly().waitFor();
                assertFalse(peer.isStillThere(), "gone once it has exited");
            } finally {
                client.destroyForcibly();
            }
        }
    }

    @Test
    void cniSdkFindsThisModulesProvider() {
        assertTrue(ServiceLoader.load(PeerProcesses.class).stream().anyMatch(p -> p.type() == KernelPeers.class));
    }
}
